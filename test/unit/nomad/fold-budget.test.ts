import { describe, expect, it } from "vitest";
import { encodeBlock } from "../../../src/nomad/block.js";
import { foldFromSeed } from "../../../src/nomad/fold.js";
import { defaultFoldLimits, FoldBudget, FoldBudgetExceededError } from "../../../src/nomad/fold-budget.js";
import { genericModule } from "../../../src/nomad/modules/generic.js";
import type { FolderData } from "../../../src/nomad/modules/storage.js";
import { storageModule } from "../../../src/nomad/modules/storage.js";
import type { LoadedEntry } from "../../../src/nomad/modules/types.js";
import { wacProjectModule } from "../../../src/nomad/modules/wac-project.js";
import { patchRequestModule } from "../../../src/patch-request/patch-request-module.js";
import { foldBombEntries, foldBombFolders } from "../../helpers/fold-bomb.js";
import { entry } from "./builders.js";
import { names } from "./fixtures.js";

const { R, LA } = names;
const ctx = (budget: FoldBudget) => ({ rootId: R, sources: [LA], budget });
const seed = () => storageModule.seed({ id: R, name: "Docs", sources: [LA] });
const bomb = (k: number) =>
  Promise.all(foldBombEntries(R, k).map((e) => entry(e.targetId, e.eventId, e.content)));

function countFolders(folder: FolderData): number {
  return folder.Folders.reduce((n, child) => n + 1 + countFolders(child), 0);
}

describe("fold budget", () => {
  it("stops the k = 20 fold bomb (78 entries, 2,097,150 folders) at the budget with a typed refusal", async () => {
    const entries = await bomb(20);
    expect(entries).toHaveLength(78);
    const budget = new FoldBudget(defaultFoldLimits, "patch");
    const error = await foldFromSeed(storageModule, { id: R, sources: [LA] }, entries, ctx(budget)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FoldBudgetExceededError);
    const refusal = error as FoldBudgetExceededError;
    expect(refusal.code).toBe("FOLD_BUDGET");
    expect(refusal.subject).toBe("patch");
    expect(refusal.message).toMatch(
      /^The patch request's entries are too expensive to fold: the fold stopped after/,
    );
    // The work stopped at a limit, far below the 2^21 folders (and twice as many steps) the replay asks for.
    const atStepLimit = budget.steps === defaultFoldLimits.maxSteps;
    const atByteLimit = budget.stateBytes > defaultFoldLimits.maxStateBytes - 1024;
    expect(atStepLimit || atByteLimit).toBe(true);
    expect(budget.steps).toBeLessThanOrEqual(defaultFoldLimits.maxSteps);
    expect(budget.stateBytes).toBeLessThanOrEqual(defaultFoldLimits.maxStateBytes);
    expect(refusal.steps).toBe(budget.steps);
    expect(foldBombFolders(20)).toBe(2_097_150);
  });

  it("stops at a small step limit exactly, before the bytes limit, and says so with the numbers", async () => {
    const budget = new FoldBudget({ maxSteps: 500, maxStateBytes: 1024 * 1024 * 1024 }, "target");
    const error = await storageModule.fold(seed(), await bomb(12), ctx(budget)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FoldBudgetExceededError);
    expect(budget.steps).toBe(500);
    expect((error as Error).message).toMatch(
      /^The target is too expensive to fold: .*after 500 steps.*limits: 500 steps/,
    );
  });

  it("does not change the result of a fold within the budget: the k = 6 bomb builds its 126 folders", async () => {
    const entries = await bomb(6);
    const unbounded = await storageModule.fold(seed(), entries, { rootId: R, sources: [LA] });
    const budget = new FoldBudget(defaultFoldLimits);
    const bounded = await storageModule.fold(seed(), entries, ctx(budget));
    expect(countFolders(bounded.state as FolderData)).toBe(foldBombFolders(6));
    expect((await encodeBlock(bounded.state)).cid.equals((await encodeBlock(unbounded.state)).cid)).toBe(
      true,
    );
    expect(bounded.steps).toEqual(unbounded.steps);
    // One step per node (the root and its 126 folders), and one per entry replayed: the root's 2, and 2
    // under each of the 62 folders of levels 1 to 5 (the entries creating the next level).
    expect(budget.steps).toBe(1 + foldBombFolders(6) + 2 + 2 * foldBombFolders(5));
  });

  it("counts one step per entry in every module, so a long stream stops at the limit too", async () => {
    const entries: LoadedEntry[] = await Promise.all(
      Array.from({ length: 30 }, (_, i) => entry(R, "UpdateNameAsync", { i })),
    );
    for (const module of [wacProjectModule, genericModule, patchRequestModule]) {
      const budget = new FoldBudget({ maxSteps: 20, maxStateBytes: 1024 }, "target");
      const state = module.seed({ id: R, sources: [LA] });
      await expect(module.fold(state, entries, ctx(budget))).rejects.toBeInstanceOf(FoldBudgetExceededError);
      expect(budget.steps).toBe(20);
    }
  });

  it("yields to the event loop while it works: timers run between slices of a long fold", async () => {
    const entries = await bomb(13);
    const budget = new FoldBudget(defaultFoldLimits);
    const seenAt: number[] = [];
    let ticking = true;
    const tick = () => {
      seenAt.push(budget.steps);
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const folding = storageModule.fold(seed(), entries, ctx(budget));
    const done = await folding;
    ticking = false;
    const total = budget.steps;
    expect(countFolders(done.state as FolderData)).toBe(foldBombFolders(13));
    // Timers fired while the fold was part-way: the fold gave the event loop a turn again and again.
    const during = seenAt.filter((steps) => steps > 0 && steps < total);
    expect(during.length).toBeGreaterThan(10);
  });
});
