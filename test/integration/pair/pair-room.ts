import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type KuboNode, startKubo } from "../../helpers/kubo.js";

/** Pairing runs over pubsub, which only these tests need (it costs each daemon a little at start). */
export const pubsubConfig = { "Pubsub.Enabled": true };

/** Short waits: both sides run in this process, so a join is a matter of heartbeats. */
export const pairTimeoutMs = 20_000;

/** Three connected nodes with pubsub: the holder of an object, a newcomer, and a third party. */
export async function startPubsubNodes(): Promise<[KuboNode, KuboNode, KuboNode]> {
  const [a, b, c] = await Promise.all([1, 2, 3].map(() => startKubo({ config: pubsubConfig })));
  await Promise.all([connect(a!, b!), connect(a!, c!), connect(b!, c!)]);
  return [a!, b!, c!];
}

export const scratchDir = (label: string) => mkdtemp(join(tmpdir(), `nomad-patch-${label}-`));
