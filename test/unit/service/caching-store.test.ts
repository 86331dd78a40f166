import { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { withBlockCache } from "../../../src/service/caching-store.js";

const cids = [
  "bafyreibtmlzhvj7xrepjsxxtoiltfrhcqts5yzvsxb63fqiuw5ned5fef4",
  "bafyreifxjoc4lahvr7atyei5pcw6zbntv4gar4htgnfyt2jvstwi7x2bei",
  "bafyreiaxx3bfiprcgta7g2x4kcqmqpsz4alhflbiek63xfbunpy6lmvbmi",
].map((c) => CID.parse(c));

function countingStore() {
  const calls: string[] = [];
  let fail = false;
  const store = {
    dagGet: async (cid: CID) => {
      calls.push(`dagGet ${cid}`);
      await new Promise((r) => setTimeout(r, 1));
      if (fail) throw new Error("offline");
      return `value of ${cid}`;
    },
    resolveName: async (name: string) => {
      calls.push(`resolve ${name}`);
      return cids[0];
    },
  } as unknown as IpfsStore;
  return { store, calls, setFail: (f: boolean) => (fail = f) };
}

describe("withBlockCache", () => {
  it("fetches an immutable block once, even when asked concurrently", async () => {
    const { store, calls } = countingStore();
    const cached = withBlockCache(store, { maxBlocks: 10 });
    const values = await Promise.all([
      cached.dagGet(cids[0]!),
      cached.dagGet(cids[0]!),
      cached.dagGet(CID.parse(cids[0]!.toString())),
    ]);
    expect(values).toEqual(Array(3).fill(`value of ${cids[0]}`));
    expect(calls).toEqual([`dagGet ${cids[0]}`]);
    expect(cached.cacheStats()).toMatchObject({ hits: 2, misses: 1 });
  });

  it("never caches names", async () => {
    const { store, calls } = countingStore();
    const cached = withBlockCache(store, { maxBlocks: 10 });
    await cached.resolveName("k51x");
    await cached.resolveName("k51x");
    expect(calls).toEqual(["resolve k51x", "resolve k51x"]);
  });

  it("evicts the least recently used block beyond its bound", async () => {
    const { store, calls } = countingStore();
    const cached = withBlockCache(store, { maxBlocks: 2 });
    await cached.dagGet(cids[0]!);
    await cached.dagGet(cids[1]!);
    await cached.dagGet(cids[0]!); // 0 is now the most recent
    await cached.dagGet(cids[2]!); // evicts 1
    await cached.dagGet(cids[0]!);
    await cached.dagGet(cids[1]!);
    expect(calls.filter((c) => c.endsWith(cids[1]!.toString()))).toHaveLength(2);
    expect(calls.filter((c) => c.endsWith(cids[0]!.toString()))).toHaveLength(1);
  });

  it("forgets a failed fetch so the next call tries again", async () => {
    const { store, calls, setFail } = countingStore();
    const cached = withBlockCache(store, { maxBlocks: 2 });
    setFail(true);
    await expect(cached.dagGet(cids[0]!)).rejects.toThrow("offline");
    setFail(false);
    await expect(cached.dagGet(cids[0]!)).resolves.toBe(`value of ${cids[0]}`);
    expect(calls).toHaveLength(2);
  });
});
