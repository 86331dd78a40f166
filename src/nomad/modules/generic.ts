import { spend } from "../fold-budget.js";
import { budgetOf } from "../fold-step.js";
import { isIpldMap } from "../ipld.js";
import type { FoldStep, NomadModule } from "./types.js";

/**
 * The fallback for objects no module recognises: entries can be listed with their content, but their
 * effect cannot be predicted, so the state stays as given and every step says "unknown".
 */
export const genericModule: NomadModule = {
  name: "generic",
  keyPrefix: "Nomad.Generic",
  predictsEffects: false,
  recognise: (value) => isIpldMap(value),
  seed: ({ sources }) => ({ Sources: [...sources] }),
  streamLabel: (name) => name,
  linksToLoad: () => [],
  fold: async (state, entries, ctx) => {
    const budget = budgetOf(ctx);
    const steps: FoldStep[] = [];
    for (const entry of entries) {
      await spend(budget);
      steps.push({
        entry,
        effect: "unknown",
        reason: "no module for this object: its effect cannot be previewed",
      });
    }
    return { state, steps };
  },
};
