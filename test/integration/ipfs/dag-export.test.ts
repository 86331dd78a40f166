import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { CID } from "multiformats/cid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockKey } from "../../../src/ipfs/block-key.js";
import { type Block, encodeCar } from "../../../src/ipfs/car.js";
import { delegateStore } from "../../../src/ipfs/delegate-store.js";
import { KuboStore } from "../../../src/ipfs/kubo-store.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { encodeBlock, encodeFileUpdateEvent, FILE_UPDATE } from "../../../src/nomad/index.js";
import { withBlockCache } from "../../../src/service/caching-store.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import {
  createProjectTarget,
  createStorageTarget,
  proposePatch,
} from "../../helpers/nomad-builders/index.js";
import { proposeFeatures } from "../faults/patch-setup.js";

const limits = { maxEntries: 100, maxBytes: 4 * 1024 * 1024, resolveTimeoutMs: 10_000 };

/** Every block read that reaches the node, and every block an export handed over. */
function watched(store: IpfsStore) {
  const reads: string[] = [];
  const exported: CID[] = [];
  const read = (cid: CID) => {
    reads.push(cid.toString());
    return cid;
  };
  return {
    reads,
    exported,
    store: {
      ...delegateStore(store),
      getBlock: (cid, o) => store.getBlock(read(cid), o),
      dagGet: (cid, o) => store.dagGet(read(cid), o),
      dagGetSized: (cid, o) => store.dagGetSized(read(cid), o),
      exportDag: (root, visit, o) =>
        store.exportDag(
          root,
          (block) => {
            exported.push(block.cid);
            return visit(block);
          },
          o,
        ),
    } satisfies IpfsStore,
  };
}

/**
 * Blocks a cold review may ask for alone while the patch's export and the target's run at once: one walk
 * can reach a block the other export carries before that export has brought it (the roaming value, which
 * the patch's base links, is one).
 */
const RACED_READS = 3;

describe("DAGs in one request: dag/import and dag/export through KuboStore", () => {
  let node: KuboNode;
  beforeAll(async () => {
    node = await startKubo();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it("imports blocks in one CAR with the root pinned, and exports them back hash-checked, in DAG order", async () => {
    const leaves = await Promise.all(["one", "two", "three"].map((v) => encodeBlock(`import ${v}`)));
    const root = await encodeBlock({ Entries: leaves.map((l) => l.cid) });
    await node.store.importBlocks([root, ...leaves], { pinRoot: root.cid });
    const pins = [];
    for await (const pin of node.store.rpc.pin.ls({ paths: [root.cid], type: "recursive" })) pins.push(pin);
    expect(pins.map((p) => p.cid.toString())).toEqual([root.cid.toString()]);

    const seen: Block[] = [];
    const summary = await node.store.exportDag(root.cid, (b) => seen.push(b) > 0);
    expect(summary.complete).toBe(true);
    expect(seen.map((b) => b.cid.toString())).toEqual([root, ...leaves].map((b) => b.cid.toString()));
    expect(seen.map((b) => [...b.bytes])).toEqual([root, ...leaves].map((b) => [...b.bytes]));
  });

  it("refuses to import a block whose bytes are not its CID's, and stores nothing", async () => {
    const good = await encodeBlock("import good");
    const other = await encodeBlock("import other");
    const forged = { cid: good.cid, bytes: other.bytes };
    await expect(node.store.importBlocks([forged])).rejects.toMatchObject({ code: "DECODE" });
    await expect(node.store.exportDag(good.cid, () => true, { localOnly: true })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("stops where the visitor says and at the byte bound; local-only skips what the node lacks", async () => {
    const absent = await encodeBlock("never stored here");
    const present = await encodeBlock("stored");
    const root = await encodeBlock({ Links: [present.cid, absent.cid] });
    await node.store.importBlocks([root, present]);
    const seen: string[] = [];
    const local = await node.store.exportDag(root.cid, (b) => seen.push(b.cid.toString()) > 0, {
      localOnly: true,
      timeoutMs: 10_000,
    });
    expect(seen).toEqual([root.cid.toString(), present.cid.toString()]);
    expect(local.complete).toBe(true);
    const first = await node.store.exportDag(root.cid, () => false, { localOnly: true });
    expect(first).toEqual({ bytes: root.bytes.byteLength, complete: false });
    const bounded = await node.store.exportDag(root.cid, () => true, {
      localOnly: true,
      maxBytes: root.bytes.byteLength,
    });
    expect(bounded).toEqual({ bytes: root.bytes.byteLength, complete: false });
  });

  it("a cold review through a block cache reads the target's history and the patch by export, not block by block", async () => {
    const features = Array.from({ length: 20 }, (_, i) => `feature ${i}`);
    const target = await createProjectTarget(node, { knownId: "export-cold", name: "Cold", features });
    const patch = await proposeFeatures(node, target.id, ["a", "b", "c"]);
    const baseline = watched(node.store);
    const plain = await reviewPatch({ store: baseline.store }, { key: patch.key, limits });

    const counted = watched(node.store);
    const { review } = await reviewPatch(
      { store: withBlockCache(counted.store, { maxBlocks: 10_000 }) },
      {
        key: patch.key,
        limits,
      },
    );
    expect(review.predictedResultCid).toBe(plain.review.predictedResultCid);
    expect(review.refusals).toEqual([]);
    // Every block came in an export (the patch's DAG links the roaming value as its base), but the patch's
    // record: read alone first, since it names the target whose history is exported beside the patch. The
    // two exports run at once, so a block both walks need may be asked for alone before the other export
    // has brought it: a few such reads at most, where block by block is over 60.
    expect(counted.reads[0]).toBe(patch.cid.toString());
    expect(counted.reads.length).toBeLessThanOrEqual(RACED_READS + 1);
    expect(counted.exported.map(String)).toContain(target.roamingCid.toString());
    expect(baseline.reads.length).toBeGreaterThan(60);
  });

  it("a Storage target's prefetch never reads a file's blocks; the files are read only to show them", async () => {
    const big = new Uint8Array(600 * 1024).map((_, i) => i % 251);
    const target = await createStorageTarget(node, {
      name: "export-files",
      files: { "big.bin": big, "a.txt": "a\n" },
    });
    const edited = await node.store.addFile(new TextEncoder().encode("b\n"), { pin: true });
    const patch = await proposePatch(node, {
      target: target.id,
      title: "Edit a.txt",
      entries: [
        {
          targetId: target.ids["a.txt"],
          eventId: FILE_UPDATE,
          content: encodeFileUpdateEvent({ storableItemId: target.ids["a.txt"]!, newContentId: edited }),
        },
      ],
    });
    const counted = watched(node.store);
    const { review } = await reviewPatch(
      { store: withBlockCache(counted.store, { maxBlocks: 10_000 }) },
      {
        key: patch.key,
        limits,
      },
    );
    expect(review.refusals).toEqual([]);
    // The big file has children: none of them was exported, and nothing under a file root was.
    const children: string[] = [];
    for await (const link of node.store.rpc.ls(target.contents["big.bin"]!))
      children.push(link.cid.toString());
    expect(children.length).toBeGreaterThan(1);
    const exported = counted.exported.map(String);
    expect(exported.filter((cid) => children.includes(cid))).toEqual([]);
    expect(counted.reads.filter((cid) => children.includes(cid))).toEqual([]);
  });

  it("a Storage history of small files is prefetched to its end: its files are passed over, never kept", async () => {
    const files = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`docs/page-${i}.md`, `page ${i}\n`.repeat(50)]),
    );
    const target = await createStorageTarget(node, { name: "export-small-files", files });
    const edited = await node.store.addFile(new TextEncoder().encode("page 3, edited\n"), { pin: true });
    const id = target.ids["docs/page-3.md"]!;
    const patch = await proposePatch(node, {
      target: target.id,
      title: "Edit page 3",
      entries: [
        {
          targetId: id,
          eventId: FILE_UPDATE,
          content: encodeFileUpdateEvent({ storableItemId: id, newContentId: edited }),
        },
      ],
    });
    const counted = watched(node.store);
    const cached = withBlockCache(counted.store, { maxBlocks: 10_000 });
    const { review } = await reviewPatch({ store: cached }, { key: patch.key, limits });
    expect(review.refusals).toEqual([]);
    // Every entry and event of the history came in the stream's export: none was read block by block.
    // The blocks read are the patch's record (read alone first: it names the target) and the proposed
    // file's, which the review checks is there (and shows).
    expect(counted.reads[0]).toBe(patch.cid.toString());
    expect(counted.reads).toContain(edited.toString());
    // (Besides, a few blocks both exports carry may be asked for alone while they run at once.)
    expect(counted.reads.length).toBeLessThanOrEqual(RACED_READS + 2);
    const readsBefore = counted.reads.length;
    const fileCids = Object.values(target.contents).map(String);
    // (The patch's export passes them too: its Base links the roaming value, which links the files.)
    expect(new Set(counted.exported.map(String).filter((cid) => fileCids.includes(cid))).size).toBe(12);
    // A file passed over is not in the cache: reading it goes to the node.
    await cached.getBlock(target.contents["docs/page-7.md"]!);
    expect(counted.reads.slice(readsBefore)).toEqual([target.contents["docs/page-7.md"]!.toString()]);
  });

  it("a DAG linking many files cannot make a prefetch stream them: it stops at its allowance", async () => {
    const files = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        node.store.addFile(new Uint8Array(200 * 1024).map((_, j) => (i + j) % 256)),
      ),
    );
    const root = await node.store.dagPut({ Files: files });
    const counted = watched(node.store);
    const cached = withBlockCache(counted.store, { maxBlocks: 10_000 });
    const read = await cached.prefetchDag(root);
    expect(read.map((b) => b.key)).toEqual([blockKey(root)]);
    // One MiB, and 64 KiB for the one block kept, then the file that went past it: 7 of the 40 files.
    const streamed = counted.exported.filter((cid) => files.some((f) => f.equals(cid)));
    expect(streamed.length).toBeGreaterThan(1);
    expect(streamed.length).toBeLessThanOrEqual(7);
  });
});

describe("KuboStore.exportDag against a node that misbehaves", () => {
  let server: Server;
  let answer: (res: import("node:http").ServerResponse) => void = () => {};
  let store: KuboStore;
  beforeAll(async () => {
    server = createServer((_req, res) => answer(res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    store = new KuboStore({ apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("refuses a block whose bytes do not hash to the CID it is sent under", async () => {
    const claimed = await encodeBlock("claimed");
    const sent = await encodeBlock("sent instead");
    answer = (res) => res.end(encodeCar([claimed.cid], [{ cid: claimed.cid, bytes: sent.bytes }]));
    const kept: Block[] = [];
    await expect(store.exportDag(claimed.cid, (b) => kept.push(b) > 0)).rejects.toMatchObject({
      code: "DECODE",
    });
    expect(kept).toEqual([]);
  });

  it("gives up on a stream that stalls, within the call's time bound", async () => {
    const block = await encodeBlock("slow");
    const car = encodeCar([block.cid], [block]);
    answer = (res) => res.write(car.subarray(0, 10)); // and never more
    await expect(store.exportDag(block.cid, () => true, { timeoutMs: 300 })).rejects.toMatchObject({
      code: "TIMEOUT",
    });
  });

  it("refuses a section larger than a block can be", async () => {
    const block = await encodeBlock("huge");
    const huge = { cid: block.cid, bytes: new Uint8Array(store.limits.maxBlockBytes + 1024) };
    answer = (res) => res.end(encodeCar([block.cid], [huge]));
    await expect(store.exportDag(block.cid, () => true)).rejects.toMatchObject({ code: "LIMIT" });
  });
});

/**
 * A real node behind a local proxy that passes its answers on in its own way: in small pieces with a pause
 * between them (an export that keeps coming, slowly, as under load), or up to some bytes and then nothing
 * more with the connection left open (a daemon that stops sending).
 */
describe("an export's time bound follows its progress", () => {
  let node: KuboNode;
  let proxy: Server;
  let proxyUrl: string;
  let pass: (body: ReadableStream<Uint8Array>, res: import("node:http").ServerResponse) => Promise<void>;
  const pending = new Set<NodeJS.Timeout>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(timer);
        resolve();
      }, ms);
      pending.add(timer);
    });

  beforeAll(async () => {
    node = await startKubo();
    proxy = createServer(async (req, res) => {
      const answer = await fetch(`${node.apiUrl}${req.url}`, { method: req.method });
      res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "" });
      res.flushHeaders();
      if (answer.body) await pass(answer.body, res).catch(() => {});
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const timer of pending) clearTimeout(timer);
    proxy?.closeAllConnections();
    await new Promise((resolve) => proxy?.close(resolve));
    await node?.stop();
  });

  /** A DAG of a root and 40 leaves of 200 bytes each, on the node. */
  async function dagOnNode(name: string) {
    const leaves = await Promise.all(
      Array.from({ length: 40 }, (_, i) => encodeBlock(`${name} ${i} ${"x".repeat(200)}`)),
    );
    const root = await encodeBlock({ Entries: leaves.map((l) => l.cid) });
    await node.store.importBlocks([root, ...leaves]);
    return { root, blocks: [root, ...leaves] };
  }

  it("an export that keeps streaming for longer than the call's time bound is read to its end", async () => {
    const { root, blocks } = await dagOnNode("trickled");
    // 512 bytes at a time, a pause of 100 ms between: the 11 KB take over 2 s, each piece far within 1 s.
    pass = async (body, res) => {
      for await (const chunk of body) {
        for (let at = 0; at < chunk.length; at += 512) {
          res.write(chunk.subarray(at, at + 512));
          await pause(100);
        }
      }
      res.end();
    };
    const store = new KuboStore({ apiUrl: proxyUrl, limits: { timeoutMs: 1_000, exportIdleMs: 1_000 } });
    const seen: string[] = [];
    const summary = await store.exportDag(root.cid, (b) => seen.push(b.cid.toString()) > 0);
    expect(summary.complete).toBe(true);
    expect(seen).toEqual(blocks.map((b) => b.cid.toString()));
  });

  it("an export that stops sending is given up once nothing came for its idle bound, however far its ceiling", async () => {
    const { root } = await dagOnNode("stalled");
    // The header and a few blocks, then nothing more, the connection held open.
    pass = async (body, res) => {
      let sent = 0;
      for await (const chunk of body) {
        const piece = chunk.subarray(0, Math.max(0, 4_000 - sent));
        if (piece.length > 0) res.write(piece);
        sent += piece.length;
        if (sent >= 4_000) break;
      }
    };
    const store = new KuboStore({
      apiUrl: proxyUrl,
      limits: { timeoutMs: 600_000, exportIdleMs: 1_000, exportMaxMs: 600_000 },
    });
    const seen: string[] = [];
    const stalled = await store.exportDag(root.cid, (b) => seen.push(b.cid.toString()) > 0).catch((e) => e);
    expect(stalled).toMatchObject({ code: "TIMEOUT" });
    expect((stalled as Error).message).toContain("no bytes");
    // What came before the stall was handed over, each block checked.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(41);
  });
});
