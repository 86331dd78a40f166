import { mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DecodeError } from "../errors.js";
import type { ApplyOutcome } from "../patch-request/apply-outcome.js";
import { withFileLock } from "./file-lock.js";
import { createKeyedLock } from "./keyed-lock.js";

/** One entry an apply writes: everything needed to rebuild its block byte for byte after a crash. */
export interface PlannedEntry {
  readonly targetId: string;
  readonly eventId: string;
  readonly contentCid: string;
  readonly timestampUtc: string;
  /** CID of the entry block those four fields encode to. */
  readonly cid: string;
}

/**
 * The durable record of one apply, keyed by the approved patch CID. Each step is recorded
 * after it is done, so a re-run knows where a crash left off:
 * `planned` (entries and timestamps fixed; the bot's stream may hold them if a crash hit the
 * publish) → `local-published` (the bot's stream holds them, checked and pinned first) → `done`
 * (roaming republished, outcome kept for "already applied").
 * `failed`: a check or a write before the local publish failed (content unreachable, a block too large,
 * the import of the entries refused) while the bot's stream was known not to hold the entries, so nothing
 * was published; the next approval plans again from a fresh review.
 * `held`: a `planned` apply resumed under a hold, whose entries the bot's stream was read and found not to
 * hold: closed with nothing published; like `failed`, the next approval plans again.
 * `rejected`: the same, under a standing rejection of the version: closed with nothing published, and only
 * an approval given after the rejection (`rejectedAt`) plans it again.
 */
export interface JournalRecord {
  readonly version: 1;
  readonly patchKey: string;
  readonly patchCid: string;
  readonly targetId: string;
  readonly expectResultCid: string;
  readonly localKeyName: string;
  readonly roamingKeyName: string;
  readonly state: JournalState;
  readonly entries: readonly PlannedEntry[];
  readonly streamCid?: string;
  readonly outcome?: ApplyOutcome;
  /** Why a `failed` apply stopped: the error's message. */
  readonly failure?: string;
  /**
   * The failed apply's error code and hint, when it was one of the project's errors (absent otherwise, and in
   * records written before they were kept), so the failure can be said after a stop as it was live.
   */
  readonly failureCode?: string;
  readonly failureHint?: string;
  /**
   * Who approved it, as the caller named them (a GitHub login, "the repository's rules"), so that an apply
   * finished or reported after a stop still says who; absent when the caller named nobody, and in records
   * written before it was kept.
   */
  readonly approvedBy?: string;
  /**
   * When the approval was given, by GitHub's clock (a person's comment or label; absent for the rules, which
   * approve as the review is written, and in records written before it was kept): a rejection on the issue
   * after it was given after the apply began.
   */
  readonly approvedAt?: string;
  /**
   * The GitHub issue whose approval began the apply, so that what became of it (a failure, a hold, a
   * rejection) is said on that issue only; absent when no issue approved it (the CLI), and in records written
   * before it was kept.
   */
  readonly issue?: JournalIssue;
  /**
   * When the rejection that closed a `rejected` apply was given (GitHub's time of the `/reject`, or of the
   * bot's rejection comment): an approval given before it is not applied.
   */
  readonly rejectedAt?: string;
  readonly updatedAt: string;
}

/** An issue of a GitHub repository, as the journal names it. */
export interface JournalIssue {
  /** The repository's owner, as GitHub names it (compared without case, as GitHub does). */
  readonly owner: string;
  /** The repository's name. */
  readonly repo: string;
  /** The issue's number in that repository. */
  readonly number: number;
}

export type JournalState = "planned" | "local-published" | "done" | "failed" | "held" | "rejected";

const JOURNAL_STATES: readonly string[] = [
  "planned",
  "local-published",
  "done",
  "failed",
  "held",
  "rejected",
] satisfies readonly JournalState[];

/** States an apply ended in with nothing published: the next approval plans again from a fresh review. */
export function isClosedUnpublished(state: JournalState): boolean {
  return state === "failed" || state === "held" || state === "rejected";
}

/** Whether `record` was approved from `issue`; a record that names no issue (older, or the CLI's) is anyone's. */
export function approvedFrom(record: JournalRecord, issue: JournalIssue): boolean {
  const named = record.issue;
  if (named === undefined) return true;
  return (
    named.number === issue.number &&
    named.owner.toLowerCase() === issue.owner.toLowerCase() &&
    named.repo.toLowerCase() === issue.repo.toLowerCase()
  );
}

/** States an apply can be left in by a crash or a failure after some of it went out: a retry finishes it. */
export function isUnfinished(state: JournalState): boolean {
  return state === "planned" || state === "local-published";
}

/** More unfinished applies of one target than this are not listed (there is at most one in practice). */
export const MAX_UNFINISHED_LISTED = 100;

export interface ApplyJournal {
  get(patchCid: string): Promise<JournalRecord | undefined>;
  put(record: JournalRecord): Promise<void>;
  /**
   * The applies of `targetId` left `planned` or `local-published` (at most 100):
   * their entries may be in the bot's stream already, so no other patch may be planned on top of them.
   */
  unfinished(targetId: string): Promise<JournalRecord[]>;
  /** Runs `task` with no other apply to the same target under way, in this process or another. */
  exclusive<T>(targetId: string, task: () => Promise<T>): Promise<T>;
}

/**
 * The journal as one JSON file per patch CID under `<dataDir>/journal/`, replaced
 * atomically (write, fsync, rename), so a record is always either the old or the new one.
 * This is the layout of a data directory that only ever serves one node (tests, and the layout before
 * journals were kept per node); the app and the CLI open {@link openNodeJournal}.
 */
export async function openFileJournal(dataDir: string): Promise<ApplyJournal> {
  return openJournalDirectory(join(dataDir, "journal"));
}

/**
 * The journal in `dir`, one file per patch CID. `fallback` is asked for a record this directory does not
 * hold (the node journal's adoption of records written before journals were kept per node).
 */
export async function openJournalDirectory(
  dir: string,
  fallback?: (patchCid: string) => Promise<JournalRecord | undefined>,
): Promise<ApplyJournal> {
  await mkdir(dir, { recursive: true });
  const file = (patchCid: string) => journalFile(dir, patchCid);
  // One empty marker file per unfinished apply, `open/<target>/<patch CID>`, so finding a target's
  // unfinished applies reads one small folder, not every record. The marker is written before its record
  // and removed after it, so a crash leaves at most a marker whose record is finished (filtered out).
  const openDir = (targetId: string) => join(dir, "open", safeName(targetId));
  const lock = createKeyedLock();
  const get = async (patchCid: string) => (await readRecord(file(patchCid))) ?? fallback?.(patchCid);
  return {
    exclusive: (targetId, task) =>
      lock(targetId, () => withFileLock(join(dir, `${safeName(targetId)}.lock`), task)),
    get,
    async unfinished(targetId) {
      const names = await readdir(openDir(targetId)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return [] as string[];
        throw error;
      });
      const records: JournalRecord[] = [];
      for (const name of names.sort().slice(0, MAX_UNFINISHED_LISTED)) {
        const record = /^[a-zA-Z0-9]{1,200}$/.test(name) ? await get(name) : undefined;
        if (record?.targetId === targetId && isUnfinished(record.state)) records.push(record);
      }
      return records;
    },
    async put(record) {
      const marker = join(openDir(record.targetId), safeName(record.patchCid));
      if (isUnfinished(record.state)) {
        await mkdir(openDir(record.targetId), { recursive: true });
        await writeFile(marker, "");
      }
      const target = file(record.patchCid);
      const partial = `${target}.${process.pid}.partial`;
      const handle = await open(partial, "w");
      try {
        await handle.writeFile(`${JSON.stringify(record, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(partial, target);
      if (!isUnfinished(record.state)) await rm(marker, { force: true });
    },
  };
}

/** Where a journal directory keeps the record of `patchCid`. */
export function journalFile(dir: string, patchCid: string): string {
  return join(dir, `${safeName(patchCid)}.json`);
}

/** The record in `path`, or undefined when there is none. */
export async function readRecord(path: string): Promise<JournalRecord | undefined> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  return text === undefined ? undefined : checkRecord(JSON.parse(text), path);
}

/** GitHub's owner and repository names: letters, digits and `-` `_` `.`, at most 100. */
const GITHUB_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * A record as read from disk, with the fields that decide where and whether something is said checked: a
 * record naming an issue by malformed fields (edited by hand, or damaged) is refused rather than said on
 * some other issue, or on every one.
 */
function checkRecord(value: unknown, path: string): JournalRecord {
  const record = value as JournalRecord;
  const refuse = (why: string) => {
    throw new DecodeError(`journal record ${path}: ${why}`);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) refuse("not an object");
  if (!JOURNAL_STATES.includes(record.state)) refuse(`unknown state ${JSON.stringify(record.state)}`);
  if (record.issue !== undefined) {
    const { issue } = record;
    if (typeof issue !== "object" || issue === null || Array.isArray(issue)) refuse("issue is not an object");
    if (Object.keys(issue).sort().join() !== "number,owner,repo")
      refuse("issue has other fields than owner, repo, number");
    if (typeof issue.owner !== "string" || !GITHUB_NAME.test(issue.owner))
      refuse("issue.owner is not a GitHub name");
    if (typeof issue.repo !== "string" || !GITHUB_NAME.test(issue.repo))
      refuse("issue.repo is not a GitHub name");
    if (!Number.isSafeInteger(issue.number) || issue.number < 1)
      refuse("issue.number is not an issue number");
  }
  for (const field of ["rejectedAt", "approvedAt"] as const) {
    const at = record[field];
    if (at !== undefined && (typeof at !== "string" || Number.isNaN(Date.parse(at))))
      refuse(`${field} is not a time`);
  }
  return record;
}

/** A journal in memory, for tests of orchestration that do not exercise the disk. */
export function memoryJournal(): ApplyJournal {
  const records = new Map<string, JournalRecord>();
  const lock = createKeyedLock();
  return {
    exclusive: lock,
    get: async (patchCid) => records.get(patchCid),
    unfinished: async (targetId) =>
      [...records.values()]
        .filter((r) => r.targetId === targetId && isUnfinished(r.state))
        .slice(0, MAX_UNFINISHED_LISTED)
        .map((r) => structuredClone(r)),
    put: async (record) => {
      records.set(record.patchCid, structuredClone(record));
    },
  };
}

/** CIDs and key ids are plain alphanumerics; anything else must not become a path. */
export function safeName(id: string): string {
  if (!/^[a-zA-Z0-9]{1,200}$/.test(id))
    throw new DecodeError(`not a CID or key id: ${JSON.stringify(id.slice(0, 80))}`);
  return id;
}
