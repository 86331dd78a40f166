import { readFileSync } from "node:fs";
import { z } from "zod";
import { findKeys } from "./find-keys.js";
import { writeJsonAtomically } from "./write-json-atomically.js";

/**
 * Who posted each key first on each issue, as the app heard the texts arrive (an issue opened or edited, a
 * comment created, edited or deleted): GitHub's API keeps no trace of a deleted comment, and an edit that
 * takes a key out of a text leaves none either, so the issue as it reads later may show a maintainer's quote
 * as the first text holding a stranger's key (docs/decisions.md, "The author of a key on an issue is whoever
 * posted it first"). Per key, the earliest text by GitHub's `created_at` is kept.
 *
 * Bounded, because anyone can post or delete thousands of comments with keys: at most `perIssue` keys per
 * issue and `total` in all. What is dropped fails safe: a key an issue no longer has a record of, when one
 * may have been dropped, reads as `forgotten` (its first poster is not known; the rules then judge nobody),
 * never as "no one posted it before". An issue that overflowed is marked so; whole issues dropped from the
 * total (the least recently written first) move a watermark, `forgottenThrough`, the latest `created_at` of
 * a dropped text: an issue created after it cannot have lost a record. A damaged file is discarded and the
 * watermark set to the time it was read, so nothing of it is trusted and nothing it held is taken as absent.
 */
export interface KeyPosters {
  /**
   * Records the keys in a text (any form a key is written) as posted by `login` at `at`, on an issue
   * created at `issueCreatedAt` (when the event told).
   */
  record(
    lane: string,
    text: string,
    login: string,
    at: string,
    issueCreatedAt: string | undefined,
  ): Promise<void>;
  /** The first poster of `key` on the issue as recorded; `issueCreatedAt` tells an issue a drop cannot reach. */
  lookup(lane: string, key: string, issueCreatedAt: string | undefined): KeyPosterRecord;
  /** How many keys are recorded in all (for the flood's bound). */
  readonly size: number;
}

export type KeyPosterRecord =
  | { readonly kind: "recorded"; readonly login: string; readonly at: string }
  | { readonly kind: "none" }
  /** A record of this key on this issue may have been dropped: who posted it first is not known. */
  | { readonly kind: "forgotten" };

export interface KeyPostersOptions {
  /** Where the record is kept; undefined keeps it in memory only. */
  readonly file?: string;
  readonly perIssue?: number;
  readonly total?: number;
  readonly now?: () => Date;
  readonly log?: (message: string) => void;
}

/** Far more keys than a discussion of patches holds; an issue past it is marked as having lost some. */
export const KEY_POSTERS_PER_ISSUE = 100;
/** About 1.5 MB on disk at most, rewritten as one file (writes coalesced while one is under way). */
export const KEY_POSTERS_TOTAL = 10_000;

const FILE_VERSION = 1;
const GITHUB_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z$/u;
const time = z.string().max(40).regex(GITHUB_TIME);
const laneSchema = z
  .string()
  .max(300)
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+#[1-9][0-9]{0,9}$/u);
const keySchema = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9]+$/u);
const loginSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.[\]-]+$/u);

interface Posted {
  readonly login: string;
  readonly at: string;
  /**
   * First recorded when a record of the issue may have been dropped already: the text it names may be a
   * later one than a dropped record's (an attacker floods the issue to push their own record out, then a
   * maintainer's offer would be recorded as the first).
   */
  readonly afterDrop: boolean;
}
interface IssueRecord {
  readonly keys: Map<string, Posted>;
  /** Some key of this issue was dropped to keep it within `perIssue`. */
  dropped: boolean;
}

export function createKeyPosters(options: KeyPostersOptions = {}): KeyPosters {
  const {
    file,
    perIssue = KEY_POSTERS_PER_ISSUE,
    total = KEY_POSTERS_TOTAL,
    now = () => new Date(),
    log = () => {},
  } = options;
  const fileSchema = z.strictObject({
    v: z.literal(FILE_VERSION),
    forgottenThrough: time.nullable(),
    issues: z
      .array(
        z.strictObject({
          lane: laneSchema,
          dropped: z.boolean(),
          keys: z.array(z.tuple([keySchema, loginSchema, time, z.boolean()])).max(perIssue),
        }),
      )
      .max(total),
  });
  // Map order is the order of the last write: the first issue is the least recently written.
  const issues = new Map<string, IssueRecord>();
  let forgottenThrough: string | undefined;
  let size = 0;

  const loaded = readRecord(file, total, fileSchema, log);
  if (loaded === "damaged") forgottenThrough = now().toISOString();
  else if (loaded !== undefined) {
    forgottenThrough = loaded.forgottenThrough ?? undefined;
    for (const issue of loaded.issues) {
      const keys = new Map(
        issue.keys.map(([key, login, at, afterDrop]) => [key, { login, at, afterDrop }] as const),
      );
      // Not as the app writes it (an issue twice, a key twice, over the bound): nothing of it is trusted.
      if (issues.has(issue.lane) || keys.size !== issue.keys.length || size + keys.size > total) {
        log("key posters file is inconsistent: discarded, keys on issues so far have no known first poster");
        issues.clear();
        size = 0;
        forgottenThrough = now().toISOString();
        break;
      }
      issues.set(issue.lane, { keys, dropped: issue.dropped });
      size += keys.size;
    }
  }

  /** Whether a record of the issue may have been dropped: it overflowed, or whole issues went since it was opened. */
  const mayHaveLost = (issue: IssueRecord | undefined, issueCreatedAt: string | undefined) => {
    if (issue?.dropped) return true;
    if (forgottenThrough === undefined) return false;
    const created = issueCreatedAt === undefined ? Number.NaN : Date.parse(issueCreatedAt);
    return Number.isNaN(created) || new Date(created).toISOString() <= forgottenThrough;
  };
  const forget = (at: string) => {
    if (forgottenThrough === undefined || at > forgottenThrough) forgottenThrough = at;
  };
  const dropOldestIssue = (keep: string) => {
    for (const [lane, issue] of issues) {
      if (lane === keep) continue;
      for (const posted of issue.keys.values()) forget(posted.at);
      size -= issue.keys.size;
      issues.delete(lane);
      return true;
    }
    return false;
  };

  // One write at a time; changes made while one runs share the next (a flood costs a write per turn).
  let writing: Promise<void> = Promise.resolve();
  let next: Promise<void> | undefined;
  const save = (): Promise<void> => {
    if (file === undefined) return Promise.resolve();
    next ??= writing.then(async () => {
      next = undefined;
      try {
        await writeJsonAtomically(file, snapshot());
      } catch (error) {
        log(`key posters not saved: ${(error as Error).message}`);
      }
    });
    writing = next;
    return next;
  };
  const snapshot = () => ({
    v: FILE_VERSION,
    forgottenThrough: forgottenThrough ?? null,
    issues: [...issues].map(([lane, issue]) => ({
      lane,
      dropped: issue.dropped,
      keys: [...issue.keys].map(([key, posted]) => [key, posted.login, posted.at, posted.afterDrop]),
    })),
  });

  return {
    record(lane, text, login, givenAt, issueCreatedAt) {
      if (!laneSchema.safeParse(lane).success || !loginSchema.safeParse(login).success)
        return Promise.resolve();
      if (!GITHUB_TIME.test(givenAt)) return Promise.resolve();
      // One form for every time kept (GitHub's has no milliseconds, the clock's has), so they compare as text.
      const at = new Date(givenAt).toISOString();
      // The keys past `perIssue` in one text could not all be kept anyway; the issue is marked as having lost some.
      const found = findKeys(text, { offered: false, max: perIssue + 1 });
      if (found.length === 0) return Promise.resolve();
      let changed = false;
      const issue = issues.get(lane) ?? { keys: new Map<string, Posted>(), dropped: false };
      for (const { key } of found) {
        const earlier = issue.keys.get(key);
        if (earlier !== undefined && earlier.at <= at) continue;
        // Whether this key's own record may be among the dropped ones, asked before this text drops any.
        const afterDrop = earlier?.afterDrop ?? mayHaveLost(issue, issueCreatedAt);
        if (earlier === undefined) {
          if (issue.keys.size >= perIssue) {
            const oldest = issue.keys.keys().next().value as string;
            issue.keys.delete(oldest);
            issue.dropped = true;
            size -= 1;
          }
          size += 1;
        }
        issue.keys.set(key, { login, at, afterDrop });
        changed = true;
      }
      if (!changed) return Promise.resolve();
      issues.delete(lane);
      issues.set(lane, issue);
      while (size > total && dropOldestIssue(lane)) {}
      return save();
    },
    lookup(lane, key, issueCreatedAt) {
      const issue = issues.get(lane);
      const posted = issue?.keys.get(key);
      if (posted !== undefined)
        return posted.afterDrop
          ? { kind: "forgotten" }
          : { kind: "recorded", login: posted.login, at: posted.at };
      return mayHaveLost(issue, issueCreatedAt) ? { kind: "forgotten" } : { kind: "none" };
    },
    get size() {
      return size;
    },
  };
}

type RecordFile = {
  forgottenThrough: string | null;
  issues: { lane: string; dropped: boolean; keys: [string, string, string, boolean][] }[];
};

/** The record of a file that parses whole and within bounds; undefined when there is none yet. */
function readRecord(
  file: string | undefined,
  total: number,
  schema: z.ZodType<RecordFile>,
  log: (message: string) => void,
): RecordFile | "damaged" | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    log(
      `key posters unreadable: discarded, keys on issues so far have no known first poster: ${(error as Error).message}`,
    );
    return "damaged";
  }
  // A key's record is under 300 bytes, an issue's lane under 400: a file far larger was not written by the app.
  if (text.length > total * 700 + 1024) {
    log("key posters file too large: discarded, keys on issues so far have no known first poster");
    return "damaged";
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: discarded below.
  }
  log("key posters file is corrupt: discarded, keys on issues so far have no known first poster");
  return "damaged";
}
