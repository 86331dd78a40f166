import { loadavg } from "node:os";
import type { decodeBlock as DecodeBlock } from "../src/ipfs/block-codec.js";
import type { CarReader as Reader } from "../src/ipfs/car.js";
import { startKuboPair } from "../test/helpers/kubo.js";
import { reviewAndRender } from "./cases/review-case.js";
import { median } from "./measure/timing.js";
import { compiledTree } from "./setup/compiled-tree.js";
import { useInstalledKubo } from "./setup/installed-kubo.js";
import { writeOneCase } from "./setup/one-case.js";

/**
 * `node --expose-gc lib-bench/bench/ab-decode.js [history] [patch] [rounds] [lib-bench dir …]`: the part of a
 * cold review that turns an export's bytes into values, alone, with each compiled tree in turn (the order
 * reversed each round): the CAR streams of one case's DAGs (the patch and the stream, as `dag/export` sends
 * them, read once and kept), parsed into blocks by the tree's `CarReader` and each block decoded by its
 * `decodeBlock`. CPU time of the process for each pass; no I/O inside it, so the figures move with the
 * machine's load far less than a whole review's.
 */
async function main(): Promise<void> {
  useInstalledKubo();
  const [history = "1000", size = "1000", rounds = "20", ...given] = process.argv.slice(2);
  const trees = given.length > 0 ? given : ["lib-bench"];
  const impls = await Promise.all(trees.map(load));
  const pair = await startKuboPair();
  try {
    const patch = await writeOneCase(pair, "ab-decode", { history: Number(history), patch: Number(size) });
    const { roots } = await reviewAndRender(pair.operator.store, patch.key, Number(size));
    // The exports as Kubo sends them: its chunks, kept, so every pass reads the same pieces.
    const streams: Uint8Array[][] = [];
    for (const root of roots) {
      const response = await fetch(`${pair.operator.store.apiUrl}/api/v0/dag/export?arg=${root}`, {
        method: "POST",
      });
      const chunks: Uint8Array[] = [];
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
      streams.push(chunks);
    }
    const cpu = trees.map(() => [] as number[]);
    let blocks = 0;
    for (let round = 0; round < Number(rounds); round++) {
      const order = round % 2 === 0 ? [...impls.keys()] : [...impls.keys()].reverse();
      for (const i of order) {
        const { CarReader, decodeBlock } = impls[i]!;
        globalThis.gc?.();
        const start = process.cpuUsage();
        blocks = 0;
        for (const chunks of streams) {
          const reader = new CarReader({ maxSectionBytes: 2 * 1024 * 1024 });
          for (const chunk of chunks) {
            reader.push(chunk);
            for (let block = reader.next(); block; block = reader.next()) {
              decodeBlock(block.cid, block.bytes);
              blocks++;
            }
          }
          reader.end();
        }
        const used = process.cpuUsage(start);
        cpu[i]!.push((used.user + used.system) / 1000);
      }
    }
    for (const [i, tree] of trees.entries()) {
      const values = cpu[i]!;
      process.stdout.write(
        `${tree}: ${blocks} blocks parsed and decoded, CPU median ${median(values).toFixed(1)} ms (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})\n`,
      );
    }
    process.stdout.write(
      `${history} × ${size}, ${rounds} rounds, ${streams.reduce((n, s) => n + s.length, 0)} chunks; load ${loadavg()[0]!.toFixed(2)}\n`,
    );
  } finally {
    await pair.stop();
  }
}

interface Impl {
  readonly CarReader: typeof Reader;
  readonly decodeBlock: typeof DecodeBlock;
}

async function load(tree: string): Promise<Impl> {
  const from = compiledTree(tree);
  const { CarReader } = await from<Impl>("src/ipfs/car.js");
  const { decodeBlock } = await from<Impl>("src/ipfs/block-codec.js");
  return { CarReader, decodeBlock };
}

main().catch((error: unknown) => {
  process.stderr.write(`[ab-decode] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
