import type { CID } from "multiformats/cid";
import { UsageError } from "../errors.js";
import type { IpfsStore, PublishOptions } from "../ipfs/store.js";
import type { FolderData } from "../nomad/index.js";
import { loadTarget } from "./load-target.js";
import { type EntryDraft, encodeProposedEntries, putProposedEntries } from "./propose-entries.js";
import { type PublishedPatch, publishPatchRequest } from "./propose-publish.js";
import { parseRawEntries } from "./propose-raw-entries.js";
import { type FolderChange, planFolderChanges } from "./propose-storage.js";
import { planValueChanges, type ValueOperation } from "./propose-values.js";
import { refuseCSharpRejects } from "./refuse-csharp-rejects.js";

/** What the contributor changed, in one of the three forms (docs/design.md §9). */
export type ProposedChanges =
  | { readonly kind: "folder"; readonly dir: string }
  | { readonly kind: "values"; readonly operations: readonly ValueOperation[] }
  /** The text of a raw entries file, and its name for messages. */
  | { readonly kind: "entries"; readonly text: string; readonly source: string };

export interface ProposePatchInput {
  readonly target: string;
  readonly title: string;
  readonly description: string;
  readonly changes: ProposedChanges;
  /** Key-name suffix for the patch request's keys; made from the title when absent. */
  readonly name?: string;
  readonly publish?: PublishOptions;
  readonly resolveTimeoutMs?: number;
  readonly onProgress?: (message: string) => void;
}

export interface ProposedPatch extends PublishedPatch {
  readonly targetId: string;
  readonly module: string;
  /** The target roaming CID the patch was written against. */
  readonly base: CID | null;
  readonly entries: readonly { readonly eventId: string; readonly targetId: string }[];
  /** Storage only: the files and folders the entries touch. */
  readonly folderChanges?: readonly FolderChange[];
}

/**
 * Propose a change to a target this node only reads (docs/design.md §3, §9):
 * 1. load the target as any reader does (fold its sources) and note the published CID as `Base`;
 * 2. turn the changes into entries of the target's module (folder diff, field edits, raw entries);
 * 3. refuse entries the C# replay throws on (the review's checks), before anything is written;
 * 4. put the entries on this node; 5. publish the patch request object and return its key.
 */
export async function proposePatch(
  deps: { readonly store: IpfsStore },
  input: ProposePatchInput,
): Promise<ProposedPatch> {
  const { store } = deps;
  input.onProgress?.(`loading target ${input.target}…`);
  const target = await loadTarget(
    { store },
    { target: input.target, resolve: { timeoutMs: input.resolveTimeoutMs } },
  );
  const targetId = target.targetId;

  let drafts: EntryDraft[];
  let folderChanges: FolderChange[] | undefined;
  const { changes } = input;
  if (changes.kind === "folder") {
    if (target.module.name !== "storage")
      throw new UsageError(
        `--from-folder needs a Storage target; ${targetId} is a ${target.module.name} object`,
      );
    input.onProgress?.(`comparing ${changes.dir} with the target…`);
    const plan = await planFolderChanges(store, {
      state: target.state as unknown as FolderData,
      dir: changes.dir,
    });
    drafts = plan.drafts;
    folderChanges = plan.changes;
  } else if (changes.kind === "values") {
    drafts = await planValueChanges(store, {
      module: target.module.name,
      targetId,
      state: target.state,
      operations: changes.operations,
    });
  } else {
    drafts = parseRawEntries(changes.text, targetId, changes.source);
  }
  if (drafts.length === 0) throw new UsageError(`Nothing to propose: the changes leave ${targetId} as it is`);

  // Every form goes through the review's C# checks before anything is written (docs/format.md).
  const encoded = await encodeProposedEntries(drafts);
  await refuseCSharpRejects(store, {
    target,
    encoded,
    where: (i) => (changes.kind === "entries" ? `${changes.source}[${i}]` : undefined),
    resolveTimeoutMs: input.resolveTimeoutMs,
  });
  input.onProgress?.(`writing ${drafts.length} entries and publishing the patch request…`);
  const entryCids = await putProposedEntries(store, encoded);
  const base = target.published?.cid ?? null;
  const published = await publishPatchRequest(
    { store },
    {
      name: input.name,
      target: targetId,
      base,
      title: input.title,
      description: input.description,
      entries: entryCids,
      publish: input.publish,
    },
  );
  return {
    ...published,
    targetId,
    module: target.module.name,
    base,
    entries: drafts.map((d) => ({ eventId: d.eventId, targetId: d.targetId })),
    folderChanges,
  };
}
