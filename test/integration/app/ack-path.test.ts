import { execFileSync } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

/**
 * What the acknowledgement of a webhook waits for on disk, seen through a hooked file system: the order
 * in which the event's record is written, the webhook is answered, its delivery id is appended to
 * `queue/deliveries` and its record removed.
 */
const seen = vi.hoisted(() => ({ events: [] as string[], failAppends: false }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs/promises")>();
  const wrapped = {
    ...fs,
    async rename(...args: Parameters<typeof fs.rename>) {
      await fs.rename(...args);
      if (String(args[1]).endsWith(".json")) seen.events.push("record written");
    },
    async appendFile(...args: Parameters<typeof fs.appendFile>) {
      if (String(args[0]).endsWith("deliveries")) {
        if (seen.failAppends)
          throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
        seen.events.push(`appended ${String(args[1]).trim().split("\n").join(" ")}`);
      }
      return fs.appendFile(...args);
    },
    async rm(...args: Parameters<typeof fs.rm>) {
      await fs.rm(...args);
      if (String(args[0]).endsWith(".json")) seen.events.push("record removed");
    },
  };
  return { ...wrapped, default: wrapped };
});

vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const wrapped = {
    ...fs,
    renameSync(...args: Parameters<typeof fs.renameSync>) {
      fs.renameSync(...args);
      if (String(args[1]).endsWith(".json")) seen.events.push("record written");
    },
  };
  return { ...wrapped, default: wrapped };
});

const { createWorkQueue } = await import("../../../src/app/work-queue.js");
const { fakeGitHub } = await import("./github-fake.js");
const { BOT, loadApp } = await import("./harness.js");
const { recordLogs } = await import("./log-recorder.js");
const { commentCreated, REPO } = await import("./payloads.js");
const { parseMarker } = await import("../../../src/render/marker.js");
const { readdir } = await import("node:fs/promises");
type IpfsStore = import("../../../src/ipfs/store.js").IpfsStore;

const TARGET = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";
/** `/hold` needs only GitHub: a store that fails on every call proves it is never touched. */
const noIpfs = new Proxy({} as IpfsStore, {
  get: () => () => Promise.reject(new Error("IPFS must not be used by /hold")),
});

describe("a webhook's acknowledgement and the delivery ids on disk", () => {
  let dataDir = "";
  beforeEach(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-ack-"));
    seen.events.length = 0;
    seen.failAppends = false;
  });
  afterEach(async () => {
    nock.cleanAll();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function boot() {
    const queue = createWorkQueue();
    const logs = recordLogs();
    const probot = await loadApp(noIpfs, dataDir, queue, logs);
    const deliver = (payload: object, id: string) =>
      probot.receive({ id, name: "issue_comment", payload } as Parameters<Probot["receive"]>[0]);
    return { queue, logs: logs.lines, deliver };
  }

  it("answers once the record is written, without waiting for the id's append, which comes when the job is done and before its record goes", async () => {
    const gh = fakeGitHub({
      ...REPO,
      botLogin: BOT,
      config: `targets:\n  - id: ${TARGET}\n`,
      permissions: { maintainer: { permission: "admin", role_name: "admin" } },
    });
    const first = await boot();
    const hold = commentCreated({ number: 5, body: "" }, "/hold", "maintainer", { id: 77 });
    await first.deliver(hold, "delivery-hold");
    seen.events.push("acknowledged");
    await first.queue.idle();
    // The append is a turn shared by every delivery: a burst's acknowledgements queued behind it (target 6).
    expect(seen.events).toEqual([
      "record written",
      "acknowledged",
      "appended delivery-hold",
      "record removed",
    ]);
    const posted = gh.requests.filter((r) => r.method !== "GET").length;
    expect(posted).toBeGreaterThan(0);

    // The next process knows the delivery from `deliveries` alone (its record is gone): a redelivery is ignored.
    const second = await boot();
    await second.deliver(hold, "delivery-hold");
    await second.queue.idle();
    expect(gh.requests.filter((r) => r.method !== "GET")).toHaveLength(posted);
    expect(second.logs.some((l) => l.msg === "delivery seen before: ignored")).toBe(true);
  });

  it("answers while every thread of libuv's pool is busy: the record is written without waiting for a thread", async () => {
    fakeGitHub({
      ...REPO,
      botLogin: BOT,
      config: `targets:\n  - id: ${TARGET}\n`,
      permissions: { maintainer: { permission: "admin", role_name: "admin" } },
    });
    const app = await boot();
    // Reading a FIFO that no one writes holds a thread of the pool in open(2): one reader per thread holds
    // them all, as a cold review's disk cache does for milliseconds at a time (docs/benchmarks.md, target 6).
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const fifos = Array.from({ length: threads }, (_, i) => join(dataDir, `fifo-${i}`));
    for (const fifo of fifos) execFileSync("mkfifo", [fifo]);
    const readers = fifos.map((fifo) => readFile(fifo));
    const order: string[] = [];
    // Queued behind the readers: it finishes only once a thread is free again.
    const probe = stat(dataDir).then(() => order.push("a thread free"));
    const hold = commentCreated({ number: 7, body: "" }, "/hold", "maintainer", { id: 79 });
    const acknowledged = app.deliver(hold, "delivery-busy-pool").then(() => order.push("acknowledged"));
    // Only bounds the wait of a build whose answer needs a thread; a passing run never waits for it.
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([acknowledged, new Promise((resolve) => (giveUp = setTimeout(resolve, 3000)))]);
    clearTimeout(giveUp);
    order.push("threads released");
    for (const fifo of fifos) {
      const fd = openSync(fifo, "w");
      writeSync(fd, "x");
      closeSync(fd);
    }
    await Promise.all([...readers, probe, acknowledged]);
    await app.queue.idle();
    expect(order).toEqual(["acknowledged", "threads released", "a thread free"]);
    expect(seen.events).toEqual(["record written", "appended delivery-busy-pool", "record removed"]);
  });

  it("keeps the record of a done job whose delivery id cannot be written, so the next process still knows the delivery and posts nothing twice", async () => {
    const gh = fakeGitHub({
      ...REPO,
      botLogin: BOT,
      config: `targets:\n  - id: ${TARGET}\n`,
      permissions: { maintainer: { permission: "admin", role_name: "admin" } },
    });
    const first = await boot();
    const hold = commentCreated({ number: 6, body: "" }, "/hold", "maintainer", { id: 78 });
    seen.failAppends = true;
    await first.deliver(hold, "delivery-full-disk");
    await first.queue.idle();
    const held = () => gh.botComments(6).filter((c) => parseMarker(c.body)?.state === "held");
    expect(held()).toHaveLength(1);
    expect(first.logs.some((l) => l.msg === "a finished event's delivery id could not be kept on disk")).toBe(
      true,
    );
    const records = async () => (await readdir(join(dataDir, "queue"))).filter((n) => n.endsWith(".json"));
    expect(await records()).toHaveLength(1);

    // The disk has room again: the next process replays the record without posting twice, then writes the id.
    seen.failAppends = false;
    const second = await boot();
    await second.queue.idle();
    expect(held()).toHaveLength(1);
    expect(await records()).toEqual([]);
    expect(seen.events).toContain("appended delivery-full-disk");
    await second.deliver(hold, "delivery-full-disk");
    await second.queue.idle();
    expect(held()).toHaveLength(1);
    expect(second.logs.some((l) => l.msg === "delivery seen before: ignored")).toBe(true);
  });
});
