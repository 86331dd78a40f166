import { rename } from "node:fs/promises";
import { join } from "node:path";
import type { IpfsStore } from "../ipfs/store.js";
import {
  type ApplyJournal,
  type JournalRecord,
  journalFile,
  openJournalDirectory,
  readRecord,
  safeName,
} from "./apply-journal.js";

/** What the node journal asks of its node: who it is, and which keys it holds (to adopt older records). */
export type JournalNode = Pick<IpfsStore, "id" | "listKeys">;

/** A node's journal, and the node it belongs to. */
export interface NodeJournal extends ApplyJournal {
  /** The peer id of the node whose applies this journal records. */
  readonly peerId: string;
}

/**
 * The apply journal of the node behind `store`: `<dataDir>/journal/<peer id>/`. One data directory may
 * serve several nodes (its managed node and every node reached with `--kubo` or `KUBO_API_URL`); keyed
 * by peer id, one node's "already applied" is never another's, and no node resumes another's half-done
 * apply.
 *
 * Records written before journals were kept per node lie in `<dataDir>/journal/` itself. A node adopts
 * one, moving it into its own directory (a rename, so only one node ever does), when it is that node's:
 * a finished apply whose outcome names a local key this node holds, or an unfinished one whose local key
 * name this node holds (every device of a target has that name; any of them would have resumed it
 * before, and now exactly one does). So an apply recorded before the upgrade is still "already applied"
 * on its node, and exactly-once holds across the upgrade.
 */
export async function openNodeJournal(store: JournalNode, dataDir: string): Promise<NodeJournal> {
  const { peerId } = await store.id({ timeoutMs: 10_000 });
  const sharedDir = join(dataDir, "journal");
  const dir = join(sharedDir, safeName(peerId));
  const adopt = async (patchCid: string): Promise<JournalRecord | undefined> => {
    const older = journalFile(sharedDir, patchCid);
    const record = await readRecord(older);
    if (!record || !(await holdsKeysOf(store, record))) return undefined;
    try {
      await rename(older, journalFile(dir, patchCid));
      return record;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      // Adopted meanwhile by another process: this node's if that process served the same node.
      return readRecord(journalFile(dir, patchCid));
    }
  };
  return { ...(await openJournalDirectory(dir, adopt)), peerId };
}

async function holdsKeysOf(store: JournalNode, record: JournalRecord): Promise<boolean> {
  const keys = await store.listKeys({ timeoutMs: 10_000 });
  const localKey = record.outcome?.localKey;
  return localKey !== undefined
    ? keys.some((key) => key.id === localKey)
    : keys.some((key) => key.name === record.localKeyName);
}
