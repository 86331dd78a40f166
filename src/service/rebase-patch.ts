import { CID } from "multiformats/cid";
import { UsageError } from "../errors.js";
import { NotFoundError } from "../ipfs/errors.js";
import type { IpfsStore } from "../ipfs/store.js";
import {
  createLimiter,
  FoldBudget,
  type FolderData,
  type IpldMap,
  type LoadedEntry,
  localKeyNameFor,
  parseIpnsName,
} from "../nomad/index.js";
import type { Conflict } from "../patch-request/change-model.js";
import { mergeAtoms } from "../patch-request/merge-atoms.js";
import { type StateAtom, stateAtoms } from "../patch-request/state-atoms.js";
import { ConflictError } from "./apply-errors.js";
import { loadPatchRequest } from "./load-patch-request.js";
import { loadProposedContent } from "./load-proposed-content.js";
import { loadTarget } from "./load-target.js";
import { encodeProposedEntries, putProposedEntries } from "./propose-entries.js";
import { planFolderChanges } from "./propose-storage.js";
import type { FileSource, LocalFolder } from "./propose-storage-read.js";
import { updatePatchRequest } from "./propose-update.js";
import { readBaseState } from "./read-base-state.js";
import { mergeTexts } from "./rebase-merge-texts.js";
import { refuseCSharpRejects } from "./refuse-csharp-rejects.js";

export interface RebasePatchInput {
  readonly key: string;
  readonly maxEntries: number;
  readonly resolveTimeoutMs?: number;
  /** Largest file merged as text. */
  readonly maxTextBytes?: number;
  readonly onProgress?: (message: string) => void;
}

export type RebaseResult =
  /** Published as the next version of the same key, based on the target's current value. */
  | {
      readonly status: "rebased";
      readonly key: string;
      readonly previousCid: string;
      readonly cid: string;
      readonly base: string;
      readonly previousBase: string | null;
      readonly entries: number;
      /** Files both sides edited, merged line by line. */
      readonly textMerged: readonly string[];
    }
  /** The patch is based on the target's current value already: nothing to do, nothing published. */
  | {
      readonly status: "up-to-date";
      readonly key: string;
      readonly cid: string;
      readonly base: string | null;
    };

/** Rebasing stopped on changes it cannot merge; nothing was published. */
export class RebaseConflictError extends ConflictError {
  constructor(
    key: string,
    readonly conflicts: readonly Conflict[],
  ) {
    super(
      key,
      conflicts.map((conflict) => conflict.path),
    );
    this.message = `Not rebased: ${conflicts.length === 1 ? "1 change" : `${conflicts.length} changes`} made to the target after this patch was written cannot be merged with it (${conflicts
      .slice(0, 5)
      .map((c) => c.path)
      .join(", ")}${conflicts.length > 5 ? ", …" : ""}). Nothing was published`;
  }
  override readonly hint =
    "edit a fresh export of the target (nomad-patch export) and propose again, or merge these by hand";
}

/**
 * `nomad-patch rebase KEY`, for the contributor who holds the patch's keys (docs/design.md §9):
 * 1. read the patch request and check this node holds its keys;
 * 2. load the target as it is now, and its value at the patch's base (null base: the module's seed);
 * 3. fold the patch's entries on the base: what the author meant;
 * 4. merge base → current and base → patch atom by atom (files, folders, fields, list items); files
 *    both changed go through a three-way text merge; anything left is a conflict: report, publish nothing;
 * 5. Storage: plan the entries that turn the current folder into the merged one; value modules: the
 *    same entries, which replay on the current value (their events set or add one thing each);
 * 6. publish the next version of the same key with `Base` = the target's current roaming CID.
 */
export async function rebasePatch(
  deps: { readonly store: IpfsStore },
  input: RebasePatchInput,
): Promise<RebaseResult> {
  const { store } = deps;
  const limit = createLimiter(8);
  const patch = await loadPatchRequest(store, input.key, {
    maxEntries: input.maxEntries,
    limit,
    resolveTimeoutMs: input.resolveTimeoutMs,
    onProgress: input.onProgress,
  });
  await checkHoldsKeys(store, patch.key);
  input.onProgress?.(`loading target ${patch.record.target}…`);
  const target = await loadTarget(
    { store },
    { target: patch.record.target, resolve: { timeoutMs: input.resolveTimeoutMs } },
  );
  const currentCid = target.published?.cid ?? null;
  if (currentCid === null)
    throw new NotFoundError(
      `The target ${target.targetId} does not resolve: there is nothing to rebase onto`,
    );
  const previousBase = patch.record.base?.toString() ?? null;
  if (previousBase === currentCid.toString())
    return { status: "up-to-date", key: patch.key, cid: patch.cid.toString(), base: previousBase };

  const base = await readBaseState(store, patch.record.base, target.published);
  if (base.state === "unavailable")
    throw new NotFoundError(`Cannot rebase: ${base.note}; without the base nothing can be merged`, {
      hint: "edit a fresh export of the target (nomad-patch export) and propose again",
    });
  const module = target.module;
  const baseValue =
    base.value ?? module.seed({ id: target.targetId, sources: [], name: nameOf(target.state) });
  const proposed = await loadProposedContent(store, patch.proposed, module, limit, {
    timeoutMs: input.resolveTimeoutMs,
  });
  const unreadable = proposed.find((p) => !p.loaded);
  if (unreadable)
    throw new NotFoundError(
      `Entry ${unreadable.index} of the patch cannot be read: ${unreadable.problem?.message ?? "no content"}`,
    );
  const ctx = {
    rootId: target.targetId,
    sources: target.sources,
    budget: new FoldBudget(undefined, "patch"),
  };
  const intended = await module.fold(
    baseValue,
    proposed.map((p) => p.loaded as LoadedEntry),
    ctx,
  );

  input.onProgress?.("merging…");
  const atoms = {
    base: stateAtoms(module.name, baseValue),
    current: stateAtoms(module.name, target.state),
    patch: stateAtoms(module.name, intended.state),
  };
  const merge = mergeAtoms(atoms.base, atoms.current, atoms.patch);
  const texts = await mergeTexts(store, merge.textMerges, {
    maxBytes: input.maxTextBytes ?? 1024 * 1024,
    timeoutMs: input.resolveTimeoutMs,
  });
  const conflicts = [...merge.conflicts, ...texts.flatMap((t) => ("conflict" in t ? [t.conflict] : []))];
  if (conflicts.length > 0) {
    throw new RebaseConflictError(
      patch.key,
      conflicts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    );
  }

  let entries: CID[];
  if (module.name === "storage") {
    const merged = new Map<string, FileSource>();
    for (const text of texts) if ("bytes" in text) merged.set(text.key, { bytes: text.bytes });
    const folder = localFolderOf(merge.merged, merged);
    const plan = await planFolderChanges(store, {
      state: target.state as unknown as FolderData,
      dir: folder,
    });
    if (plan.drafts.length === 0)
      throw new UsageError(
        `Nothing left to propose: the target ${target.targetId} already holds every change of this patch`,
      );
    const encoded = await encodeProposedEntries(plan.drafts);
    await refuseCSharpRejects(store, { target, encoded, resolveTimeoutMs: input.resolveTimeoutMs });
    entries = await putProposedEntries(store, encoded);
  } else entries = [...patch.record.entries];

  input.onProgress?.("publishing the rebased version…");
  const same =
    entries.length === patch.record.entries.length &&
    entries.every((cid, i) => cid.equals(patch.record.entries[i] as CID));
  const updated = await updatePatchRequest(
    { store },
    {
      key: patch.key,
      base: currentCid,
      ...(same ? {} : { removeEntries: patch.record.entries, addEntries: entries }),
    },
  );
  return {
    status: "rebased",
    key: patch.key,
    previousCid: patch.cid.toString(),
    cid: updated.cid.toString(),
    base: currentCid.toString(),
    previousBase,
    entries: entries.length,
    textMerged: texts.flatMap((t) => ("bytes" in t ? [t.key.slice("file:".length)] : [])),
  };
}

/** Only the node holding the patch request's keys can publish its next version: say so before any work. */
async function checkHoldsKeys(store: IpfsStore, key: string): Promise<void> {
  const keys = await store.listKeys();
  const roaming = keys.find((k) => k.id === parseIpnsName(key));
  const localName = roaming ? localKeyNameFor(roaming.name) : undefined;
  if (!roaming || !keys.some((k) => k.name === localName)) {
    throw new UsageError(
      `This node does not hold the keys of patch request ${key}: rebase it on the node that proposed it`,
    );
  }
}

function nameOf(state: IpldMap): string | undefined {
  return typeof state.StorableItemName === "string" ? state.StorableItemName : undefined;
}

/** The merged Storage atoms as a folder tree to plan entries from; merged texts replace their file's content. */
function localFolderOf(
  atoms: ReadonlyMap<string, StateAtom>,
  texts: ReadonlyMap<string, FileSource>,
): LocalFolder {
  const root: LocalFolder = { files: new Map(), folders: new Map() };
  const folderAt = (path: string): LocalFolder => {
    let folder = root;
    for (const name of path === "" ? [] : path.split("/")) {
      let next = folder.folders.get(name);
      if (!next) {
        next = { files: new Map(), folders: new Map() };
        folder.folders.set(name, next);
      }
      folder = next;
    }
    return folder;
  };
  for (const [key, atom] of atoms) {
    const slash = atom.path.lastIndexOf("/");
    const parent = slash < 0 ? "" : atom.path.slice(0, slash);
    const name = atom.path.slice(slash + 1);
    if (atom.kind === "folder") folderAt(atom.path);
    else {
      const content = typeof atom.value === "string" ? { cid: CID.parse(atom.value) } : { cid: null };
      folderAt(parent).files.set(name, texts.get(key) ?? content);
    }
  }
  return root;
}
