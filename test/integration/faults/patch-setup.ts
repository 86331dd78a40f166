import type { CID } from "multiformats/cid";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";
import { type NodeLike, proposePatch } from "../../helpers/nomad-builders.js";

/** The operator's review limits in these tests: small, so a fault cannot make a test wait long. */
export const faultLimits = { maxEntries: 50, maxBytes: 4 * 1024 * 1024, resolveTimeoutMs: 10_000 };

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
