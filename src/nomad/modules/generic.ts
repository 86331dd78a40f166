import { isIpldMap } from "../ipld.js";
import type { NomadModule } from "./types.js";

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
  fold: (state, entries) => ({
    state,
    steps: entries.map((entry) => ({
      entry,
      effect: "unknown" as const,
      reason: "no module for this object: its effect cannot be previewed",
    })),
  }),
};
