import { randomBytes } from "node:crypto";
import type { CID } from "multiformats/cid";
import type { IpfsStore, PublishOptions } from "../ipfs/store.js";
import { nomadKeyNames, parseIpnsName, type Ticks } from "../nomad/index.js";
import { patchRequestModule } from "../patch-request/patch-request-module.js";
import { decodePatchRequest, type PatchRequestRecord } from "../patch-request/patch-request-record.js";
import { type PatchEvent, writePatchEvents } from "./propose-events.js";

export interface PublishPatchInput {
  /** The key-name suffix; a fresh one is made from the title when absent. */
  readonly name?: string;
  readonly target: string;
  /** The target roaming CID the author saw. */
  readonly base: CID | null;
  readonly title: string;
  readonly description: string;
  /** Proposed EventStreamEntry blocks (see `putProposedEntries`), in order. */
  readonly entries: readonly CID[];
  readonly publish?: PublishOptions;
  readonly now?: () => Ticks;
}

export interface PublishedPatch {
  /** The patch request key: its roaming key id, base36. */
  readonly key: string;
  /** The roaming value it now resolves to. */
  readonly cid: CID;
  readonly localKey: string;
  readonly keyNames: { readonly local: string; readonly roaming: string };
  readonly record: PatchRequestRecord;
}

/**
 * Create a patch request as a Nomad object of its own (docs/design.md §3):
 * 1. generate `Nomad.PatchRequest.Local.{name}` and `.Roaming.{name}`;
 * 2. write UpdateTarget, UpdateBase, UpdateTitle, UpdateDescription and one AddEntry per entry
 *    into the new local stream, publish it;
 * 3. fold, put and publish the roaming value, which is what the posted key resolves to.
 */
export async function publishPatchRequest(
  deps: { readonly store: IpfsStore },
  input: PublishPatchInput,
): Promise<PublishedPatch> {
  const { store } = deps;
  const name = input.name ?? patchKeyName(input.title);
  const names = nomadKeyNames(patchRequestModule.keyPrefix, name);
  const local = await store.generateKey(names.local);
  const roaming = await store.generateKey(names.roaming);
  const events: PatchEvent[] = [
    { kind: "target", value: parseIpnsName(input.target, "target") },
    { kind: "base", value: input.base },
    { kind: "title", value: input.title },
    { kind: "description", value: input.description },
    ...input.entries.map((value): PatchEvent => ({ kind: "add-entry", value })),
  ];
  const written = await writePatchEvents(store, {
    keys: { local, roaming },
    label: patchRequestModule.streamLabel(name),
    events,
    publish: input.publish,
    now: input.now,
  });
  return {
    key: roaming.id,
    cid: written.roamingCid,
    localKey: local.id,
    keyNames: names,
    record: decodePatchRequest(written.state, written.roamingCid.toString()),
  };
}

/** A key-name suffix people can recognise in `ipfs key list`: the title's words and a random tail. */
export function patchKeyName(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  const tail = randomBytes(3).toString("hex");
  return slug === "" ? `patch-${tail}` : `${slug}-${tail}`;
}
