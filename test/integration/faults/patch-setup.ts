import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CID } from "multiformats/cid";
import { afterAll, beforeAll } from "vitest";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";
import { connect, type KuboNode, startKubo } from "../../helpers/kubo.js";
import { type NodeLike, proposePatch } from "../../helpers/nomad-builders/index.js";

/** The operator's review limits in these tests: small, so a fault cannot make a test wait long. */
export const faultLimits = { maxEntries: 50, maxBytes: 4 * 1024 * 1024, resolveTimeoutMs: 10_000 };

/**
 * For the enclosing `describe`: an operator and a contributor Kubo node, connected, and a scratch
 * directory. A test that restarts the operator puts the new node in `operator`, which is stopped last.
 */
export function operatorAndContributor(scratchPrefix: string) {
  const nodes = {} as { operator: KuboNode; contributor: KuboNode; work: string };
  beforeAll(async () => {
    [nodes.operator, nodes.contributor] = await Promise.all([startKubo(), startKubo()]);
    await connect(nodes.operator, nodes.contributor);
    nodes.work = await mkdtemp(join(tmpdir(), scratchPrefix));
  });
  afterAll(async () => {
    await Promise.all([nodes.operator?.stop(), nodes.contributor?.stop()]);
    if (nodes.work) await rm(nodes.work, { recursive: true, force: true });
  });
  return nodes;
}

/** A contributor's patch adding features to a WindowsAppCommunity project (one entry per feature). */
export async function proposeFeatures(
  contributor: NodeLike,
  target: string,
  features: readonly string[],
  title = "Add features",
): Promise<{ key: string; cid: CID; entryCids: readonly CID[] }> {
  const entries = [];
  for (const feature of features) {
    entries.push({
      eventId: "AddFeatureAsync",
      content: await putValueUpdate(contributor.store, { value: feature }),
    });
  }
  return proposePatch(contributor, { target, title, entries });
}

/** The entry CIDs of a device's local stream, as published now (empty when the name does not resolve). */
export async function streamOf(store: IpfsStore, localId: string): Promise<string[]> {
  const { decodeEventStream } = await import("../../../src/nomad/index.js");
  const cid = await store.resolveName(localId, { nocache: true });
  if (!cid) return [];
  return decodeEventStream(await store.dagGet(cid), cid.toString()).entries.map((c) => c.toString());
}
