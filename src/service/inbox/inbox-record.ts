import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { DecodeError } from "../../errors.js";
import { parseIpnsName } from "../../nomad/index.js";
import { safeName } from "../apply-journal.js";
import { withFileLock } from "../file-lock.js";

/**
 * What arrived in a target's inbox, kept in the data directory (`<dataDir>/inbox/<target>.json`), so a
 * key is taken once across restarts and `nomad-patch inbox` can list it. The receiver writes it; whoever
 * decides a patch (`watch`, the app, a person through the CLI) records the decision here. Writers take a
 * file lock and replace the file by rename, so readers always see a whole file.
 *
 * Bounded: at most `maxItems` keys per target; beyond, the oldest decided keys are forgotten first (one
 * delivered again is then taken as new, and its decision found again in the apply journal).
 */
export type InboxStatus =
  /** Arrived; `cid` is absent while its key is still being resolved and checked. */
  | "new"
  /** Reviewed and waiting for a person (a rule says review, a conflict, this node only previews). */
  | "reviewed"
  | "applied"
  /** A rule rejects it. */
  | "rejected"
  /** A built-in refusal: a source event, an entry the C# replay throws on, outside the target. */
  | "refused"
  /** Did not resolve, is not a patch request, or is for another target. */
  | "invalid";

export interface InboxItem {
  /** The patch request key, base36. */
  readonly key: string;
  /** The version it resolved to when it was checked (or decided). */
  readonly cid?: string;
  readonly title?: string;
  readonly status: InboxStatus;
  /** Why it has that status: the rule, the refusal, what failed. */
  readonly reason?: string;
  /** The pubsub peer that delivered it first. */
  readonly from: string;
  readonly arrivedAt: string;
  readonly updatedAt: string;
  /**
   * The issue the app opened for it (the inbox bridge): `number` is absent while it is being opened,
   * so a process that stopped in between looks for the issue before opening another.
   */
  readonly issue?: { readonly repository: string; readonly number?: number };
}

export interface InboxRecord {
  readonly version: 1;
  readonly target: string;
  readonly items: readonly InboxItem[];
}

export const DEFAULT_MAX_INBOX_ITEMS = 1000;
const DECIDED: readonly InboxStatus[] = ["applied", "rejected", "refused", "invalid"];

export function inboxFile(dataDir: string, target: string): string {
  return join(dataDir, "inbox", `${safeName(parseIpnsName(target, "target"))}.json`);
}

/** The inbox of `target` as recorded (empty when nothing ever arrived). */
export async function readInboxRecord(dataDir: string, target: string): Promise<InboxRecord> {
  const targetId = parseIpnsName(target, "target");
  const path = inboxFile(dataDir, targetId);
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) return { version: 1, target: targetId, items: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DecodeError(`${path} is not JSON; fix or remove it`, undefined, { cause: error });
  }
  const record = parsed as Partial<InboxRecord>;
  if (record?.version !== 1 || record.target !== targetId || !Array.isArray(record.items))
    throw new DecodeError(`${path} is not an inbox record of ${targetId}; fix or remove it`);
  return record as InboxRecord;
}

/**
 * Changes the record of `target` under its lock: `change` gets the current items and returns the new
 * ones (or `undefined` to write nothing). Returns what `change` returned, after trimming to `maxItems`.
 */
export async function updateInboxRecord(
  dataDir: string,
  target: string,
  change: (items: readonly InboxItem[]) => readonly InboxItem[] | undefined,
  maxItems = DEFAULT_MAX_INBOX_ITEMS,
): Promise<readonly InboxItem[]> {
  const path = inboxFile(dataDir, target);
  await mkdir(join(dataDir, "inbox"), { recursive: true });
  return withFileLock(`${path}.lock`, async () => {
    const current = await readInboxRecord(dataDir, target);
    const changed = change(current.items);
    if (changed === undefined) return current.items;
    const items = trim(changed, maxItems);
    const partial = `${path}.${process.pid}.partial`;
    const handle = await open(partial, "w");
    try {
      await handle.writeFile(`${JSON.stringify({ ...current, items }, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(partial, path);
    return items;
  });
}

/** Records what became of one key (a decision, or what its check found); unknown keys are left alone. */
export async function markInboxItem(
  dataDir: string,
  target: string,
  key: string,
  update: Pick<InboxItem, "status"> & Partial<Pick<InboxItem, "cid" | "title" | "reason">>,
  now: Date = new Date(),
): Promise<void> {
  await updateInboxRecord(dataDir, target, (items) =>
    withItemChanged(items, key, { ...update, updatedAt: now.toISOString() }),
  );
}

/** `items` with the item of `key` changed, or undefined (nothing to write) when there is none. */
export function withItemChanged(
  items: readonly InboxItem[],
  key: string,
  change: Partial<InboxItem>,
): InboxItem[] | undefined {
  const at = items.findIndex((item) => item.key === key);
  if (at < 0) return undefined;
  const next = [...items];
  next[at] = { ...(items[at] as InboxItem), ...change };
  return next;
}

/** Oldest decided keys go first, then the oldest of the rest; order of arrival is kept. */
function trim(items: readonly InboxItem[], maxItems: number): readonly InboxItem[] {
  let excess = items.length - maxItems;
  if (excess <= 0) return items;
  const dropped = new Set<InboxItem>();
  for (const decidedFirst of [true, false])
    for (const item of items) {
      if (excess === 0) break;
      if (decidedFirst !== DECIDED.includes(item.status) || dropped.has(item)) continue;
      dropped.add(item);
      excess--;
    }
  return items.filter((item) => !dropped.has(item));
}
