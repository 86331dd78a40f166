import type { CID } from "multiformats/cid";
import { createLimiter } from "../../src/nomad/index.js";
import type { Recording } from "./recording-store.js";

/**
 * The two baselines, straight through Kubo's RPC API with no decoding, checking or folding:
 * the same names resolved and the same blocks fetched as the review did.
 */
export async function fetchSequentially(apiUrl: string, recording: Recording): Promise<number> {
  let bytes = 0;
  // One request at a time, as the C# reference reads a stream: resolve, then each block in turn.
  for (const name of recording.names) await resolve(apiUrl, name);
  for (const cid of recording.blocks) bytes += await blockGet(apiUrl, cid);
  return bytes;
}

/** The practical lower bound: every name and block requested at once, `concurrency` in flight. */
export async function fetchConcurrently(
  apiUrl: string,
  recording: Recording,
  concurrency: number,
): Promise<number> {
  const limit = createLimiter(concurrency);
  const sizes = await Promise.all([
    ...recording.names.map((name) => limit(() => resolve(apiUrl, name).then(() => 0))),
    ...recording.blocks.map((cid) => limit(() => blockGet(apiUrl, cid))),
  ]);
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * Another strategy's bound, for comparison: the names resolved and each DAG read whole in one
 * `dag/export` request (a CAR stream) per root, instead of one request per block.
 */
export async function fetchAsCar(
  apiUrl: string,
  names: readonly string[],
  roots: readonly CID[],
): Promise<number> {
  const sizes = await Promise.all([
    ...names.map((name) => resolve(apiUrl, name).then(() => 0)),
    ...roots.map(async (root) => {
      const response = await fetch(`${apiUrl}/api/v0/dag/export?arg=${root}`, { method: "POST" });
      if (!response.ok) throw new Error(`dag/export ${root}: HTTP ${response.status}`);
      return (await response.arrayBuffer()).byteLength;
    }),
  ]);
  return sizes.reduce((a, b) => a + b, 0);
}

async function blockGet(apiUrl: string, cid: CID): Promise<number> {
  const response = await fetch(`${apiUrl}/api/v0/block/get?arg=${cid}`, { method: "POST" });
  if (!response.ok) throw new Error(`block/get ${cid}: HTTP ${response.status}`);
  return (await response.arrayBuffer()).byteLength;
}

async function resolve(apiUrl: string, name: string): Promise<void> {
  const params = new URLSearchParams({ arg: `/ipns/${name}`, nocache: "true", "dht-timeout": "12s" });
  const response = await fetch(`${apiUrl}/api/v0/name/resolve?${params}`, { method: "POST" });
  await response.arrayBuffer();
}
