import type { CID } from "multiformats/cid";
import { type IpldValue, parseIpnsName } from "../../../src/nomad/index.js";
import { type EntryDraft, putProposedEntries } from "../../../src/service/propose-entries.js";
import { proposePatch as proposeFromChanges } from "../../../src/service/propose-patch.js";
import { publishPatchRequest } from "../../../src/service/propose-publish.js";
import { updatePatchRequest } from "../../../src/service/propose-update.js";
import { type NodeLike, testPublish } from "./node.js";

/** A raw entry for a patch; `targetId` defaults to the target itself. Reserved EventIds are allowed here. */
export interface RawEntry {
  readonly targetId?: string;
  readonly eventId: string;
  readonly content: IpldValue;
}

/**
 * A patch request written on the contributor's node: raw `entries` (nothing checked, so tests can
 * build hostile patches), or the changes between the target and an edited folder (`fromFolder`).
 * `base` defaults to what the target's roaming key resolves to on the contributor's node.
 */
export async function proposePatch(
  contributor: NodeLike,
  spec: {
    readonly target: string;
    readonly title: string;
    readonly description?: string;
    readonly entries?: readonly RawEntry[];
    readonly fromFolder?: string;
    readonly base?: CID | null;
    readonly name?: string;
  },
): Promise<{ readonly key: string; readonly cid: CID; readonly entryCids: readonly CID[] }> {
  const { store } = contributor;
  if (spec.fromFolder !== undefined) {
    const proposed = await proposeFromChanges(
      { store },
      {
        target: spec.target,
        title: spec.title,
        description: spec.description ?? "",
        changes: { kind: "folder", dir: spec.fromFolder },
        name: spec.name,
        publish: testPublish,
      },
    );
    return { key: proposed.key, cid: proposed.cid, entryCids: proposed.record.entries };
  }
  const target = parseIpnsName(spec.target, "target");
  const drafts: EntryDraft[] = (spec.entries ?? []).map((e) => ({
    targetId: e.targetId ?? target,
    eventId: e.eventId,
    content: e.content,
  }));
  const entryCids = await putProposedEntries(store, drafts);
  const base = spec.base !== undefined ? spec.base : ((await store.resolveName(target)) ?? null);
  const published = await publishPatchRequest(
    { store },
    {
      target,
      base,
      title: spec.title,
      description: spec.description ?? "",
      entries: entryCids,
      name: spec.name,
      publish: testPublish,
    },
  );
  return { key: published.key, cid: published.cid, entryCids };
}

/** Publish a new version under the same patch key (title, entries added or removed); returns its CID. */
export async function repointPatch(
  contributor: NodeLike,
  spec: {
    readonly key: string;
    readonly target?: string;
    readonly title?: string;
    readonly addEntries?: readonly RawEntry[];
    readonly removeEntries?: readonly CID[];
  },
): Promise<CID> {
  const { store } = contributor;
  const addEntries = spec.addEntries?.length
    ? await putProposedEntries(
        store,
        spec.addEntries.map((e) => ({
          targetId: e.targetId ?? parseIpnsName(spec.target ?? "", "target (needed to add entries)"),
          eventId: e.eventId,
          content: e.content,
        })),
      )
    : undefined;
  const updated = await updatePatchRequest(
    { store },
    {
      key: spec.key,
      title: spec.title,
      addEntries,
      removeEntries: spec.removeEntries,
      publish: testPublish,
    },
  );
  return updated.cid;
}
