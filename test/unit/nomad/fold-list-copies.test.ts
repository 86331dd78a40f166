import { describe, expect, it } from "vitest";
import { listItemsCopied } from "../../../src/nomad/list-draft.js";
import type { LoadedEntry } from "../../../src/nomad/modules/types.js";
import { wacProjectModule } from "../../../src/nomad/modules/wac-project.js";
import { wacUserModule } from "../../../src/nomad/modules/wac-user.js";
import { entry, valueEntry } from "./builders.js";
import { names } from "./fixtures.js";

const { P, PL } = names;
const ctx = { rootId: P, sources: [PL] };
const project = () => wacProjectModule.seed({ id: P, sources: [PL] });

async function features(from: number, count: number): Promise<LoadedEntry[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => valueEntry(P, "AddFeatureAsync", `feature ${from + i}`)),
  );
}

/** The list items the reducers copied while `fold` ran. */
async function copiesDuring<T>(fold: () => Promise<T>): Promise<{ result: T; copied: number }> {
  const before = listItemsCopied();
  const result = await fold();
  return { result, copied: listItemsCopied() - before };
}

describe("a fold appends to its lists without copying them per entry", () => {
  it("copies no item while appending 2,000 features to the seed's empty list, and every entry changed the state", async () => {
    const entries = await features(0, 2_000);
    const { result, copied } = await copiesDuring(() => wacProjectModule.fold(project(), entries, ctx));
    // Copying the list for every item appended would copy 0 + 1 + … + 1,999 = 1,999,000 items.
    expect(copied).toBe(0);
    expect(result.state.Features).toEqual(entries.map((_, i) => `feature ${i}`));
    expect(result.steps.every((step) => step.effect === "changed")).toBe(true);
  });

  it("copies an already folded list once when folding on top, and leaves the state it started from as it was", async () => {
    const base = (await wacProjectModule.fold(project(), await features(0, 1_000), ctx)).state;
    const baseFeatures = [...(base.Features as string[])];
    const patch = await features(1_000, 500);
    const { result, copied } = await copiesDuring(() => wacProjectModule.fold(base, patch, ctx));
    expect(copied).toBe(1_000);
    expect(base.Features).toEqual(baseFeatures);
    expect((result.state.Features as string[]).length).toBe(1_500);
    // The same base folded again gives the same result: nothing of the first fold on top leaked into it.
    const again = await wacProjectModule.fold(base, patch, ctx);
    expect(again.state).toEqual(result.state);
  });

  it("keeps the fold's behaviour around appends: a removal, a rejected entry and a duplicate in between", async () => {
    const entries = [
      ...(await features(0, 3)),
      await valueEntry(P, "RemoveFeatureAsync", "feature 1"),
      await entry(P, "AddFeatureAsync", { Key: null, Value: null, Unset: false }),
      await valueEntry(P, "AddFeatureAsync", "feature 0"),
      ...(await features(3, 2)),
    ];
    const { state, steps } = await wacProjectModule.fold(project(), entries, ctx);
    expect(state.Features).toEqual(["feature 0", "feature 2", "feature 0", "feature 3", "feature 4"]);
    expect(steps.map((s) => s.effect)).toEqual([
      "changed",
      "changed",
      "changed",
      "changed",
      "invalid",
      "changed",
      "changed",
      "changed",
    ]);
  });

  it("appends role pairs in place too: 1,000 users added copy no item", async () => {
    const seed = wacUserModule.seed({ id: P, sources: [PL] });
    const role = { Id: "role", Name: "Maintainer", Description: "" };
    const entries = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        valueEntry(P, "AddProjectRoleAsync", role, { key: `project ${i}` }),
      ),
    );
    const { result, copied } = await copiesDuring(() => wacUserModule.fold(seed, entries, ctx));
    expect(copied).toBe(0);
    expect((result.state.Projects as unknown[]).length).toBe(1_000);
  });
});
