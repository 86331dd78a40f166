import type { CID } from "multiformats/cid";
import { NotFoundError } from "../ipfs/errors.js";
import type { IpfsStore, PublishOptions } from "../ipfs/store.js";
import {
  decodeEventStream,
  decodeRoamingSources,
  localKeyNameFor,
  parseIpnsName,
  type Ticks,
} from "../nomad/index.js";
import { decodePatchRequest, type PatchRequestRecord } from "../patch-request/patch-request-record.js";
import { type PatchEvent, writePatchEvents } from "./propose-events.js";

export interface UpdatePatchInput {
  /** The patch request key this node holds (roaming and local keys). */
  readonly key: string;
  readonly title?: string;
  readonly description?: string;
  readonly base?: CID | null;
  readonly addEntries?: readonly CID[];
  readonly removeEntries?: readonly CID[];
  readonly publish?: PublishOptions;
  readonly now?: () => Ticks;
}

/**
 * Change a patch request this node authored, publishing a new version under the same key:
 * 1. find its keys here and read the local stream and the roaming `Sources` hint;
 * 2. append the changes as events, refold, republish (see `writePatchEvents`).
 * An approval bound to the old version's CID no longer matches, which is what the bot relies on.
 */
export async function updatePatchRequest(
  deps: { readonly store: IpfsStore },
  input: UpdatePatchInput,
): Promise<{ readonly cid: CID; readonly record: PatchRequestRecord }> {
  const { store } = deps;
  const id = parseIpnsName(input.key, "patch request key");
  const keys = await store.listKeys();
  const roaming = keys.find((k) => k.id === id);
  const localName = roaming ? localKeyNameFor(roaming.name) : undefined;
  const local = keys.find((k) => k.name === localName);
  if (!roaming || !local) throw new NotFoundError(`This node does not hold the keys of patch request ${id}`);

  // Kubo can answer its own names from a cache; appending to a stale stream would drop events.
  const streamCid = await store.resolveName(local.id, { nocache: true });
  const roamingCid = await store.resolveName(id, { nocache: true });
  if (!streamCid || !roamingCid) throw new NotFoundError(`Patch request ${id} does not resolve on this node`);
  const stream = decodeEventStream(await store.dagGet(streamCid), streamCid.toString());
  const hint = decodeRoamingSources(await store.dagGet(roamingCid), roamingCid.toString());

  const events: PatchEvent[] = [
    ...(input.title !== undefined ? [{ kind: "title" as const, value: input.title }] : []),
    ...(input.description !== undefined ? [{ kind: "description" as const, value: input.description }] : []),
    ...(input.base !== undefined ? [{ kind: "base" as const, value: input.base }] : []),
    ...(input.removeEntries ?? []).map((value): PatchEvent => ({ kind: "remove-entry", value })),
    ...(input.addEntries ?? []).map((value): PatchEvent => ({ kind: "add-entry", value })),
  ];
  const written = await writePatchEvents(store, {
    keys: { local, roaming },
    label: stream.label,
    previous: { stream, hint },
    events,
    publish: input.publish,
    now: input.now,
  });
  return {
    cid: written.roamingCid,
    record: decodePatchRequest(written.state, written.roamingCid.toString()),
  };
}
