import { CID } from "multiformats/cid";
import { diff3Merge } from "node-diff3";
import { NomadPatchError } from "../errors.js";
import type { IpfsStore } from "../ipfs/store.js";
import type { Conflict } from "../patch-request/change-model.js";
import { conflictOf } from "../patch-request/detect-conflicts.js";
import type { AtomMerge } from "../patch-request/merge-atoms.js";
import { bytesAsText, type FileText, fileTextDiff } from "../patch-request/text-diffs.js";

/** The merged text of a file both sides edited, or the conflict that stops the rebase. */
export type TextMergeResult =
  | { readonly key: string; readonly bytes: Uint8Array }
  | { readonly key: string; readonly conflict: Conflict };

/**
 * Three-way text merges of the files both the target and the patch changed since the base (diff3, as
 * git merges: changes to different lines merge, changes to the same or adjacent lines conflict).
 * A file that is binary, too large or unreachable on any side is a conflict: nothing is guessed.
 */
export async function mergeTexts(
  store: IpfsStore,
  merges: AtomMerge["textMerges"],
  options: { readonly maxBytes: number; readonly timeoutMs?: number },
): Promise<TextMergeResult[]> {
  const results: TextMergeResult[] = [];
  for (const merge of merges) {
    const cids = [merge.base?.value, merge.current.value, merge.patch.value];
    const texts = new Map<string, FileText>();
    for (const cid of cids) if (typeof cid === "string") texts.set(cid, await readText(store, cid, options));
    const [base, current, patch] = cids.map((cid) =>
      typeof cid === "string" ? texts.get(cid) : { text: "" },
    );
    const conflict = (): TextMergeResult => {
      const path = merge.current.path;
      const side = (v: unknown) => (typeof v === "string" ? v : null);
      const ours = fileTextDiff(path, side(merge.base?.value), side(merge.current.value), texts);
      const theirs = fileTextDiff(path, side(merge.base?.value), side(merge.patch.value), texts);
      const diffs =
        "note" in ours || "note" in theirs
          ? { diffNote: "note" in ours ? ours.note : "note" in theirs ? theirs.note : "" }
          : { currentDiff: ours.text, patchDiff: theirs.text };
      return { key: merge.key, conflict: { ...conflictOf(merge), ...diffs } };
    };
    if (!base || !current || !patch || "note" in base || "note" in current || "note" in patch) {
      results.push(conflict());
      continue;
    }
    const regions = diff3Merge(current.text.split("\n"), base.text.split("\n"), patch.text.split("\n"), {
      excludeFalseConflicts: true,
    });
    if (regions.some((region) => region.conflict !== undefined)) {
      results.push(conflict());
      continue;
    }
    const text = regions.flatMap((region) => region.ok ?? []).join("\n");
    results.push({ key: merge.key, bytes: new TextEncoder().encode(text) });
  }
  return results;
}

async function readText(
  store: IpfsStore,
  cid: string,
  options: { readonly maxBytes: number; readonly timeoutMs?: number },
): Promise<FileText> {
  try {
    return bytesAsText(
      await store.catFile(CID.parse(cid), { maxBytes: options.maxBytes, timeoutMs: options.timeoutMs }),
    );
  } catch (error) {
    if (!(error instanceof NomadPatchError)) throw error;
    if (error.code === "LIMIT") return { note: `larger than ${options.maxBytes} bytes` };
    if (["TIMEOUT", "NOT_FOUND"].includes(error.code)) return { note: "content unreachable" };
    throw error;
  }
}
