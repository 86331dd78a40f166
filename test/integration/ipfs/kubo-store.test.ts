import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IpfsTimeoutError, KuboUnavailableError } from "../../../src/ipfs/errors.js";
import { KuboStore } from "../../../src/ipfs/kubo-store.js";
import { type KuboNode, startKubo, startKuboPair } from "../../helpers/kubo.js";

describe("KuboStore against one real Kubo", () => {
  let node: KuboNode;
  beforeAll(async () => {
    node = await startKubo();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it("publishes a name and resolves it back", async () => {
    const key = await node.store.generateKey("roundtrip");
    expect(key.id).toMatch(/^k51/);
    const cid = await node.store.dagPut({ Hello: "world" });
    const published = await node.store.publishName("roundtrip", cid, { allowOffline: true });
    expect(published.name).toBe(key.id);
    expect(published.value.equals(cid)).toBe(true);
    const resolved = await node.store.resolveName(key.id, { timeoutMs: 10_000 });
    expect(resolved?.toString()).toBe(cid.toString());
  });

  it("stores DAG-CBOR blocks under the CIDs computed locally with @ipld/dag-cbor", async () => {
    const values = [
      { Label: "Docs", Entries: [] },
      "a bare string block",
      {
        Key: null,
        Unset: false,
        Value: CID.parse("bafyreibtmlzhvj7xrepjsxxtoiltfrhcqts5yzvsxb63fqiuw5ned5fef4"),
      },
      { TimestampUtc: "2025-06-01T10:00:00.1234567Z", Nested: { List: [1, 2, 3], Flag: true } },
    ];
    for (const value of values) {
      const bytes = dagCbor.encode(value);
      const local = CID.createV1(dagCbor.code, await sha256.digest(bytes));
      const stored = await node.store.dagPut(value);
      expect(stored.toString()).toBe(local.toString());
      // Kubo's own view of the block: the same bytes back, and its stat agrees on the size.
      const stat = await node.store.rpc.block.stat(stored);
      expect(stat.size).toBe(bytes.byteLength);
      expect(await node.store.dagGet(stored)).toEqual(value);
    }
  });

  it("adds and reads UnixFS files, and refuses one beyond the size bound", async () => {
    const cid = await node.store.addFile(new TextEncoder().encode("hello world\n"));
    expect(cid.toString()).toBe("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
    expect(new TextDecoder().decode(await node.store.catFile(cid))).toBe("hello world\n");
    await expect(node.store.catFile(cid, { maxBytes: 4 })).rejects.toThrow(
      /larger than the limit of 4 bytes/,
    );
  });

  it("tells a file's size from its root without fetching it, for files of one block and of many", async () => {
    const small = await node.store.addFile(new TextEncoder().encode("hello world\n"));
    expect(await node.store.fileSize(small)).toBe(12);
    // Over Kubo's 256 KiB chunk: a root that links the chunks and records the total.
    const large = await node.store.addFile(new Uint8Array(700_000).fill(7));
    expect(await node.store.fileSize(large)).toBe(700_000);
  });

  it("reports an unknown name as not found within its bound", async () => {
    const other = await startKubo(); // a key this node has never heard of
    try {
      const stranger = await other.store.generateKey("stranger");
      const started = Date.now();
      await expect(node.store.resolveName(stranger.id, { timeoutMs: 3_000 })).resolves.toBeUndefined();
      expect(Date.now() - started).toBeLessThan(3_000 + 1_000);
    } finally {
      await other.stop();
    }
  });

  it("reports a block nobody has as a timeout, not a hang", async () => {
    const missing = CID.createV1(
      dagCbor.code,
      await sha256.digest(new TextEncoder().encode("nobody has this")),
    );
    await expect(node.store.getBlock(missing, { timeoutMs: 1_000 })).rejects.toBeInstanceOf(IpfsTimeoutError);
  });

  it("exports a key and imports it on another node under the same IPNS name", async () => {
    const key = await node.store.generateKey("portable");
    const exported = await node.store.exportKey("portable");
    const other = await startKubo();
    try {
      const imported = await other.store.importKey("portable-copy", exported);
      expect(imported.id).toBe(key.id);
      expect((await other.store.listKeys()).map((k) => k.name)).toContain("portable-copy");
    } finally {
      await other.stop();
    }
  });

  it("refuses malformed names and key names before asking Kubo", async () => {
    await expect(node.store.resolveName("not a name")).rejects.toThrow(/not an IPNS name/);
    await expect(node.store.generateKey("a/b")).rejects.toThrow(/not a usable key name/);
  });
});

describe("KuboStore when the daemon is gone", () => {
  it("reports a stopped daemon as unavailable, naming the address", async () => {
    const node = await startKubo();
    const apiUrl = node.apiUrl;
    await node.stop();
    const store = new KuboStore({ apiUrl });
    const error = await store.id({ timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KuboUnavailableError);
    expect((error as Error).message).toContain(apiUrl);
  });
});

describe("an operator and a contributor node", () => {
  it("resolves on the operator a name published on the contributor", async () => {
    const pair = await startKuboPair();
    try {
      const key = await pair.contributor.store.generateKey("patch");
      const cid = await pair.contributor.store.dagPut({ Title: "Fix typo" });
      await pair.contributor.store.publishName("patch", cid);
      const resolved = await pair.operator.store.resolveName(key.id, { timeoutMs: 20_000, nocache: true });
      expect(resolved?.toString()).toBe(cid.toString());
      // The block itself travels over bitswap.
      expect(await pair.operator.store.dagGet(cid)).toEqual({ Title: "Fix typo" });
    } finally {
      await pair.stop();
    }
  });

  it("treats a missing name as not found, not as an error", async () => {
    const pair = await startKuboPair();
    try {
      const key = await pair.contributor.store.generateKey("never-published");
      await expect(pair.operator.store.resolveName(key.id, { timeoutMs: 3_000 })).resolves.toBeUndefined();
    } finally {
      await pair.stop();
    }
  });
});

describe("KuboStore sends Kubo the options kubo-rpc-client does not list", () => {
  let node: KuboNode;
  let proxy: Server;
  let store: KuboStore;
  const queries: URLSearchParams[] = [];
  beforeAll(async () => {
    node = await startKubo();
    // Every request passes through to the real node; its query is kept.
    proxy = createServer(async (req, res) => {
      const url = new URL(req.url ?? "/", node.apiUrl);
      queries.push(url.searchParams);
      const answer = await fetch(url, { method: req.method });
      res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "" });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    store = new KuboStore({ apiUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
  });
  afterAll(async () => {
    proxy?.closeAllConnections();
    await new Promise((resolve) => proxy?.close(resolve));
    await node?.stop();
  });

  it("a resolve bounds Kubo's DHT below its own time bound, and key ids are asked in base36", async () => {
    const key = await node.store.generateKey("options-sent");
    const cid = await node.store.dagPut({ options: "sent" });
    await node.store.publishName("options-sent", cid, { allowOffline: true });
    queries.length = 0;
    expect((await store.resolveName(key.id, { timeoutMs: 5_000 }))?.toString()).toBe(cid.toString());
    expect(queries.map((q) => q.get("dht-timeout"))).toEqual(["4000ms"]);
    queries.length = 0;
    expect((await store.listKeys()).map((k) => k.id)).toContain(key.id);
    expect(queries.map((q) => q.get("ipns-base"))).toEqual(["base36"]);
    queries.length = 0;
    await store.publishName("options-sent", cid, { allowOffline: true });
    expect(queries.map((q) => q.get("ipns-base"))).toEqual(["base36"]);
  });
});
