import { runWebhookBurst } from "./cases/webhook-burst.js";

const log = (line: string) => process.stderr.write(`[ack-under-stalls] ${line}\n`);

/**
 * `node lib-bench/bench/ack-under-stalls.js [--front=main] [--stall=30] [--repeat=N]`: target 6's burst
 * (200/s for 5 s from one maintainer, sent from a process of its own) while the main thread is held in
 * slices of `--stall` ms with one turn of its loop between them, the shape of a cold review's stalls
 * (23–45 ms back to back in the idle run at `25edcf3`, docs/benchmarks.md), without Kubo and in seconds.
 * It isolates what target 6 asks of the acknowledgement, not waiting for those turns, from the review's own
 * cost on the machine; `cold-under-load.js --webhooks` remains target 6's measure. `--front=main`: answered by
 * Probot's middleware on the main thread, as before the webhook thread.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const front = args.includes("--front=main") ? "main thread" : "thread";
  const stallMs = Number(args.find((a) => a.startsWith("--stall="))?.slice("--stall=".length) ?? 30);
  const repeat = Number(args.find((a) => a.startsWith("--repeat="))?.slice("--repeat=".length) ?? 1);
  // Unmeasured: the first burst in a process pays Probot's, nock's and the HTTP stack's cold start.
  await runWebhookBurst(200, 3, { sender: "another process", front });
  for (let r = 0; r < repeat; r++) {
    const held = { slices: 0 };
    const burst = await runWebhookBurst(200, 5, {
      sender: "another process",
      front,
      alongside: {
        label: `the main thread held ${stallMs} ms at a time`,
        task: () => holdInSlices(stallMs, 6000, held),
      },
    });
    log(
      `answered on the ${front}, main thread held ${stallMs} ms at a time (${held.slices} slices): p50 ${burst.p50Ms.toFixed(1)} ms, p99 ${burst.p99Ms.toFixed(1)} ms, max ${burst.maxMs.toFixed(1)} ms, ${burst.non2xx} not 2xx; ${burst.processedOnce} done once, ${burst.droppedByLimit} dropped by the limit, ${burst.doneTwice} twice, ${burst.lost} lost`,
    );
  }
}

/** Busy for `sliceMs`, then one turn of the loop, for `totalMs` in all. */
async function holdInSlices(sliceMs: number, totalMs: number, held: { slices: number }): Promise<void> {
  const end = performance.now() + totalMs;
  while (performance.now() < end) {
    const until = performance.now() + sliceMs;
    while (performance.now() < until) {
      // held, as a review's slice or a collection holds it
    }
    held.slices++;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[ack-under-stalls] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
