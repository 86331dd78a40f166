import { readFileSync } from "node:fs";
import { z } from "zod";
import { writeJsonAtomically } from "../write-json-atomically.js";

/** One patch key posted on one open issue, and what the bot last saw it point at. */
export interface WatchedKey {
  /** `owner/name`. */
  readonly repo: string;
  readonly issue: number;
  readonly key: string;
  /** The GitHub App installation the issue was seen through: the poll writes as it. */
  readonly installationId: number | null;
  /** The patch CID of the key's current review. */
  readonly cid: string;
  readonly intervalMs: number;
  /** When the key is due for its next resolve (epoch ms). */
  readonly nextAt: number;
}

export type WatchRequest = Omit<WatchedKey, "nextAt">;

/**
 * The (issue, patch key) pairs the app keeps polling (docs/design.md §5), kept in the data directory so a
 * restart resumes them. Bounded: at most `maxKeys` pairs (more are refused and logged, `/refresh` still
 * works for them); the file is read once at start, and a file that does not parse whole is discarded, so
 * the list is rebuilt from the reviews the app writes next. Writes replace the file atomically, at most
 * one at a time, coalesced.
 */
export interface WatchList {
  /** Starts or updates watching; false when the list is full. A new CID or interval reschedules it. */
  watch(request: WatchRequest, now: number): boolean;
  unwatch(repo: string, issue: number, key: string): void;
  /** Every key of the issue: it was closed, applied or rejected. */
  unwatchIssue(repo: string, issue: number): void;
  /** The pairs due at `now`, the most overdue first, at most `max`. */
  due(now: number, max: number): WatchedKey[];
  /** Sets the next resolve of a pair still watched. */
  reschedule(entry: WatchedKey, nextAt: number): void;
  get(repo: string, issue: number, key: string): WatchedKey | undefined;
  readonly size: number;
  /** Resolves once every change so far is on disk. */
  flush(): Promise<void>;
}

export interface WatchListOptions {
  /** The file; undefined keeps the list in memory only. */
  readonly file: string | undefined;
  readonly maxKeys: number;
  readonly log?: (message: string) => void;
}

const FILE_VERSION = 1;
const entrySchema = z.strictObject({
  repo: z.string().regex(/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/),
  issue: z.number().int().positive(),
  key: z.string().regex(/^k[0-9a-z]{20,100}$/),
  installationId: z.number().int().positive().nullable(),
  cid: z.string().regex(/^[A-Za-z0-9]{8,128}$/),
  intervalMs: z.number().int().positive(),
  nextAt: z.number().int().nonnegative(),
});
const fileSchema = z.strictObject({ v: z.literal(FILE_VERSION), keys: z.array(entrySchema) });

const id = (repo: string, issue: number, key: string) => `${repo}#${issue} ${key}`;

export function openWatchList(options: WatchListOptions): WatchList {
  const log = options.log ?? (() => {});
  const entries = new Map<string, WatchedKey>();
  for (const entry of readFile(options, log)) entries.set(id(entry.repo, entry.issue, entry.key), entry);
  let writing: Promise<void> = Promise.resolve();
  let dirty = false;

  const save = () => {
    if (options.file === undefined || dirty) return;
    dirty = true;
    writing = writing.then(async () => {
      dirty = false;
      try {
        await writeJsonAtomically(options.file as string, { v: FILE_VERSION, keys: [...entries.values()] });
      } catch (error) {
        log(`watched keys not saved: ${(error as Error).message}`);
      }
    });
  };

  return {
    watch(request, now) {
      const at = id(request.repo, request.issue, request.key);
      const old = entries.get(at);
      if (!old && entries.size >= options.maxKeys) {
        log(`watched keys full (${options.maxKeys}): ${at} is not watched`);
        return false;
      }
      const same = old && old.cid === request.cid && old.intervalMs === request.intervalMs;
      if (same && old.installationId === request.installationId) return true;
      entries.set(at, { ...request, nextAt: same ? old.nextAt : now + request.intervalMs });
      save();
      return true;
    },
    unwatch(repo, issue, key) {
      if (entries.delete(id(repo, issue, key))) save();
    },
    unwatchIssue(repo, issue) {
      let removed = false;
      for (const entry of [...entries.values()]) {
        if (entry.repo === repo && entry.issue === issue)
          removed = entries.delete(id(repo, issue, entry.key)) || removed;
      }
      if (removed) save();
    },
    due(now, max) {
      if (max <= 0) return [];
      return [...entries.values()]
        .filter((entry) => entry.nextAt <= now)
        .sort((a, b) => a.nextAt - b.nextAt)
        .slice(0, max);
    },
    reschedule(entry, nextAt) {
      const at = id(entry.repo, entry.issue, entry.key);
      const current = entries.get(at);
      if (!current) return;
      entries.set(at, { ...current, nextAt });
      save();
    },
    get: (repo, issue, key) => entries.get(id(repo, issue, key)),
    get size() {
      return entries.size;
    },
    flush: () => writing,
  };
}

/** The entries of a file that parses whole and within bounds; anything else is discarded. */
function readFile(options: WatchListOptions, log: (message: string) => void): WatchedKey[] {
  if (options.file === undefined) return [];
  let text: string;
  try {
    text = readFileSync(options.file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      log(`watched keys unreadable, starting empty: ${(error as Error).message}`);
    return [];
  }
  // An entry is under 400 bytes: a file far larger was not written by the app.
  if (text.length > options.maxKeys * 1024) {
    log("watched keys file too large: discarded");
    return [];
  }
  try {
    const parsed = fileSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.keys.slice(0, options.maxKeys);
  } catch {
    // Not JSON: discarded below.
  }
  log("watched keys file is corrupt: discarded; reviews written from now on rebuild it");
  return [];
}
