import * as realFs from "node:fs/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

/**
 * The race: a `rememberDelivery` that had passed its wait for a compaction before another call started one
 * appended its id to `deliveries` while that compaction was between reading the file and renaming its copy
 * over it; the copy, read before the append, replaced the file and the id was gone. The file system is
 * hooked so that the interleaving is forced, never hoped for: the late append waits until the compaction has
 * read the file, the compaction's rename waits until a late append already under way has landed, and that
 * append's caller hears of it after the rename.
 */
const hooks = vi.hoisted(() => ({
  lateId: "",
  readDone: undefined as (() => void) | undefined,
  readSeen: false,
  appendStarted: false,
  appendLanded: undefined as Promise<void> | undefined,
  renamed: undefined as (() => void) | undefined,
  /** Appends to `deliveries`, counted. */
  appends: 0,
}));

vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs/promises")>();
  let signalRead: () => void = () => {};
  const read = new Promise<void>((resolve) => {
    signalRead = resolve;
  });
  let signalRenamed: () => void = () => {};
  const renamed = new Promise<void>((resolve) => {
    signalRenamed = resolve;
  });
  hooks.renamed = signalRenamed;
  hooks.readDone = () => {
    hooks.readSeen = true;
    signalRead();
  };
  const wrapped = {
    ...fs,
    async readFile(...args: Parameters<typeof fs.readFile>) {
      const out = await fs.readFile(...args);
      if (String(args[0]).endsWith("deliveries")) hooks.readDone?.();
      return out;
    },
    async appendFile(...args: Parameters<typeof fs.appendFile>) {
      if (String(args[0]).endsWith("deliveries")) hooks.appends += 1;
      if (hooks.lateId !== "" && String(args[1]).includes(`${hooks.lateId}\n`)) {
        hooks.appendStarted = true;
        hooks.appendLanded = (async () => {
          await read;
          await fs.appendFile(...args);
        })();
        // Its caller learns of it only once the compaction is over, so that it does not compact again.
        await hooks.appendLanded;
        await renamed;
        return;
      }
      return fs.appendFile(...args);
    },
    async rename(...args: Parameters<typeof fs.rename>) {
      const compaction = String(args[0]).endsWith("deliveries.new");
      if (compaction && hooks.appendStarted) await hooks.appendLanded;
      await fs.rename(...args);
      if (compaction) hooks.renamed?.();
    },
  };
  return { ...wrapped, default: wrapped };
});

const { openDiskQueue } = await import("../../../src/app/disk-queue.js");

const log = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, child: () => log };

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "disk-queue-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("delivery ids at a compaction", () => {
  it("keeps an id remembered while another call compacts the file", async () => {
    const maxDeliveries = 3;
    const queue = await openDiskQueue(dataDir, { maxRecords: 10, maxDeliveries }, log as never);
    // One short of the compaction, remembered one after the other.
    for (const id of ["a", "b", "c", "d", "e"]) await queue.rememberDelivery(id);
    hooks.lateId = "late";
    // The 6th id compacts; the 7th is remembered while that compaction reads the file.
    const sixth = queue.rememberDelivery("f");
    while (!hooks.readSeen) await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([sixth, queue.rememberDelivery("late")]);
    expect(hooks.readSeen).toBe(true);
    const kept = await queue.loadDeliveries();
    expect(kept).toContain("late");
    expect(kept).toEqual(["e", "f", "late"]);
  });

  it("keeps every id of many calls at once across several compactions", async () => {
    hooks.lateId = "";
    const maxDeliveries = 50;
    const queue = await openDiskQueue(dataDir, { maxRecords: 10, maxDeliveries }, log as never);
    const ids = Array.from({ length: 400 }, (_, i) => `id-${i}`);
    // Each batch of 50 at once: the newest 50 are the last batch, whatever order its appends landed in.
    for (let start = 0; start < ids.length; start += maxDeliveries)
      await Promise.all(ids.slice(start, start + maxDeliveries).map((id) => queue.rememberDelivery(id)));
    const kept = await queue.loadDeliveries();
    expect(new Set(kept)).toEqual(new Set(ids.slice(-maxDeliveries)));
    const onDisk = await realFs.readFile(join(dataDir, "queue", "deliveries"), "utf8");
    expect(onDisk.split("\n").filter(Boolean).sort()).toEqual(ids.slice(-maxDeliveries).sort());
  });

  it("writes the ids of calls made at once in one append: at 200 deliveries/s each ack waited on every append before its own", async () => {
    hooks.lateId = "";
    const queue = await openDiskQueue(dataDir, { maxRecords: 10, maxDeliveries: 1_000 }, log as never);
    const before = hooks.appends;
    const ids = Array.from({ length: 200 }, (_, i) => `burst-${i}`);
    await Promise.all(ids.map((id) => queue.rememberDelivery(id)));
    // The first call's append starts alone; every call made while it runs shares the next one.
    expect(hooks.appends - before).toBeLessThanOrEqual(2);
    const onDisk = await realFs.readFile(join(dataDir, "queue", "deliveries"), "utf8");
    expect(onDisk.split("\n").filter(Boolean)).toEqual(ids);
  });
});
