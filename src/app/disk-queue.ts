import { renameSync, writeFileSync } from "node:fs";
import { appendFile, lstat, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { AppLog } from "./job-context.js";

/** The webhook events the app handles, by Probot's `name.action`. */
export const EVENTS = [
  "issues.opened",
  "issues.edited",
  "issues.labeled",
  "issues.closed",
  "issues.reopened",
  "issues.transferred",
  "issue_comment.created",
  "issue_comment.edited",
  "issue_comment.deleted",
] as const;
export type AppEvent = (typeof EVENTS)[number];

const user = z.object({ login: z.string().max(100), type: z.string().max(50).optional() });
const text = z.string().max(300_000).nullable().optional();

/**
 * The parts of the `issues` and `issue_comment` payloads the app reads (and nothing else: a record on
 * disk is rebuilt from these alone). GitHub caps an issue's or a comment's text at 65,536 characters.
 */
export const issuePayloadSchema = z.object({
  action: z.string().max(50),
  sender: user,
  repository: z.object({ name: z.string().max(200), owner: z.object({ login: z.string().max(100) }) }),
  issue: z.object({
    number: z.number().int().positive(),
    body: text,
    user,
    labels: z
      .array(z.object({ name: z.string().max(100) }))
      .max(100)
      .optional(),
    updated_at: z.string().max(40).optional(),
    created_at: z.string().max(40).optional(),
  }),
  comment: z
    .object({
      id: z.number().int().nonnegative(),
      body: text,
      user: user.optional(),
      created_at: z.string().max(40).optional(),
    })
    .optional(),
  label: z.object({ name: z.string().max(100) }).optional(),
  /** An `issues.transferred` event's new home, for the log line that says where the issue went. */
  changes: z
    .object({
      new_issue: z.object({ number: z.number().int().positive() }).optional(),
      new_repository: z.object({ full_name: z.string().max(200) }).optional(),
    })
    .optional(),
});
export type IssuePayload = z.infer<typeof issuePayloadSchema>;

/** What a queued job needs to be rebuilt after a restart. */
export interface QueuedEvent {
  readonly deliveryId: string;
  readonly event: AppEvent;
  /** The installation whose token the job's GitHub calls use (`app.auth`); absent for a token app. */
  readonly installationId?: number;
  readonly payload: IssuePayload;
}

const recordSchema = z.object({
  v: z.literal(1),
  deliveryId: z.string().regex(/^[\w.-]{1,100}$/),
  event: z.enum(EVENTS),
  installationId: z.number().int().positive().optional(),
  payload: issuePayloadSchema,
  /** Starts at which the record could not be replayed (no installation token): bounds its retries. */
  failedReplays: z.number().int().min(0).max(1000).optional(),
});

/** A record on disk: its file (arrival order by name), the event, and the starts that failed to replay it. */
export interface StoredEvent {
  readonly file: string;
  readonly event: QueuedEvent;
  readonly failedReplays: number;
}

export interface DiskQueueOptions {
  /** Most records kept (and read back at start); the in-memory queue's caps keep it below that. */
  readonly maxRecords: number;
  /** Delivery ids remembered across restarts. */
  readonly maxDeliveries: number;
  /** Largest record written or read back, in bytes. */
  readonly maxRecordBytes?: number;
}

/**
 * The app's queued work in `<dataDir>/queue/`, one JSON file per accepted event (written before the
 * webhook is answered, removed when its job finished), named by arrival time and a counter so that a
 * restart replays in arrival order; plus `deliveries` (the delivery ids of the jobs done lately, one a line;
 * a job not done yet is known by its record).
 * A file is written whole and renamed into place, so a crash leaves the old state or the new, never half
 * a record; without an fsync a power loss may lose the last records (decisions.md, "App: queued work
 * survives a restart").
 */
export interface DiskQueue {
  readonly dir: string;
  /** Writes the record; undefined when it is over the size cap (the job then runs in memory only). */
  add(event: QueuedEvent): Promise<string | undefined>;
  remove(file: string): Promise<void>;
  /** Counts one more failed replay in the record, which stays for the next start. */
  countFailedReplay(stored: StoredEvent): Promise<void>;
  /** The records in arrival order; corrupt, foreign or oversized files are logged and deleted. */
  load(): Promise<StoredEvent[]>;
  rememberDelivery(deliveryId: string): Promise<void>;
  /** The delivery ids remembered, oldest first (at most `maxDeliveries`). */
  loadDeliveries(): Promise<string[]>;
}

export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
const RECORD_NAME = /^\d{15}-\d{6}\.json$/;
const DELIVERIES = "deliveries";

/**
 * Who writes a record, as the first digit of its counter: the app's main thread (0) and the thread that
 * acknowledges webhooks (1, `ack-thread/`) write into the same directory, each with a counter of its own,
 * and two records named alike in the same millisecond would overwrite each other.
 */
export type RecordWriterId = 0 | 1;

/** Writes new records into a queue's directory; `openDiskQueue` reads them back and removes them. */
export interface RecordWriter {
  /** The record's file name, or undefined when it is over the size cap (nothing is written). */
  write(event: QueuedEvent): string | undefined;
}

export function createRecordWriter(
  dir: string,
  options: { readonly maxRecordBytes: number; readonly writer: RecordWriterId },
): RecordWriter {
  let counter = 0;
  return {
    write(event) {
      const body = JSON.stringify({ v: 1, ...event });
      if (Buffer.byteLength(body) > options.maxRecordBytes) return undefined;
      counter = (counter + 1) % 100_000;
      const serial = `${options.writer}${String(counter).padStart(5, "0")}`;
      const name = `${String(Date.now()).padStart(15, "0")}-${serial}.json`;
      writeWhole(dir, name, body);
      return name;
    },
  };
}

/**
 * Written whole, then renamed into place: a crash leaves the old record or the new one. Synchronously:
 * the webhook's answer waits for this write, and the four steps of an asynchronous one (open, write,
 * close, rename) each waited for a thread of libuv's pool, which a cold review's disk cache keeps busy,
 * and then for a turn of the event loop. A record is small (at most `maxRecordBytes`, a few KiB in
 * practice) and goes to the page cache, not to the disk (no fsync, as before), so the thread is held for a
 * fraction of a millisecond (docs/decisions.md, "The record of a webhook is written synchronously").
 */
function writeWhole(dir: string, name: string, body: string): void {
  writeFileSync(join(dir, `${name}.tmp`), body);
  renameSync(join(dir, `${name}.tmp`), join(dir, name));
}

/** Only the fields the app reads, so a record on disk is small and holds nothing else of the payload. */
export function slimPayload(payload: IssuePayload): IssuePayload {
  const person = (u: { login: string; type?: string | undefined }) => ({ login: u.login, type: u.type });
  const { issue, comment } = payload;
  return {
    action: payload.action,
    sender: person(payload.sender),
    repository: { name: payload.repository.name, owner: { login: payload.repository.owner.login } },
    issue: {
      number: issue.number,
      body: issue.body,
      user: person(issue.user),
      labels: issue.labels?.map((label) => ({ name: label.name })),
      updated_at: issue.updated_at,
      created_at: issue.created_at,
    },
    comment: comment && {
      id: comment.id,
      body: comment.body,
      user: comment.user && person(comment.user),
      created_at: comment.created_at,
    },
    label: payload.label && { name: payload.label.name },
    changes: payload.changes && {
      new_issue: payload.changes.new_issue && { number: payload.changes.new_issue.number },
      new_repository: payload.changes.new_repository && {
        full_name: payload.changes.new_repository.full_name,
      },
    },
  };
}

export async function openDiskQueue(
  dataDir: string,
  options: DiskQueueOptions,
  log: AppLog,
): Promise<DiskQueue> {
  const dir = join(dataDir, "queue");
  await mkdir(dir, { recursive: true });
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const deliveriesFile = join(dir, DELIVERIES);
  const newDeliveriesFile = `${deliveriesFile}.new`;
  let appended = 0;
  // Every change to `deliveries` (an append, a compaction) waits for the one before it to finish: an append
  // landing between a compaction's read and its rename would be dropped by the rename.
  let deliveriesTail: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(change: () => Promise<T>): Promise<T> => {
    const run = deliveriesTail.then(change);
    deliveriesTail = run.catch(() => undefined);
    return run;
  };
  // The ids waiting for the next append, and that append (not started yet) while there is one.
  let waitingIds: string[] = [];
  let nextAppend: Promise<void> | undefined;

  // Whatever it is (a folder, a link): the queue's directory holds records and nothing else. A file
  // that cannot be removed is logged and left, never a reason not to start.
  const discard = async (name: string, reason: string) => {
    log.warn({ file: join(dir, name), reason }, "queued event discarded");
    await rm(join(dir, name), { force: true, recursive: true }).catch((error: unknown) => {
      log.error({ file: join(dir, name), err: error }, "a discarded queue file could not be removed");
    });
  };

  const records = createRecordWriter(dir, { maxRecordBytes, writer: 0 });
  const writeRecord = (name: string, body: string) => writeWhole(dir, name, body);

  async function readRecord(name: string): Promise<Omit<StoredEvent, "file"> | undefined> {
    const path = join(dir, name);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile()) return void (await discard(name, "not a file"));
    if (info.size > maxRecordBytes) return void (await discard(name, `larger than ${maxRecordBytes} bytes`));
    let parsed: z.infer<typeof recordSchema>;
    try {
      parsed = recordSchema.parse(JSON.parse(await readFile(path, "utf8")));
    } catch {
      return void (await discard(name, "not a queued event of this version"));
    }
    const { v: _version, failedReplays, ...event } = parsed;
    return { event, failedReplays: failedReplays ?? 0 };
  }

  /**
   * The last `maxDeliveries` ids, kept in one file rewritten whole when it has grown twice as long: the
   * copy is written beside it (`deliveries.new`, created afresh, so nothing left there is written through)
   * and renamed over it.
   */
  async function compact(ids: readonly string[]): Promise<void> {
    const kept = ids.slice(-options.maxDeliveries);
    await rm(newDeliveriesFile, { force: true, recursive: true });
    await writeFile(newDeliveriesFile, kept.map((id) => `${id}\n`).join(""), { flag: "wx" });
    await rename(newDeliveriesFile, deliveriesFile);
    appended = kept.length;
  }

  async function readDeliveries(file = deliveriesFile): Promise<string[]> {
    const info = await lstat(file).catch(() => undefined);
    if (!info?.isFile()) return [];
    const raw = await readFile(file, "utf8").catch(() => "");
    // Bounded: only the tail a full file can hold is read as ids.
    const tail = raw.slice(-(options.maxDeliveries * 2 * 102));
    return tail.split("\n").filter((id) => /^[\w.-]{1,100}$/.test(id));
  }

  /**
   * A `deliveries.new` at start was left by a stop during `compact`. `deliveries` is replaced only by
   * renaming a whole copy over it, so while it exists it holds every id the copy does: the copy is
   * dropped. Without it (removed by hand) the copy's ids are all there is, and are kept.
   */
  async function readDeliveriesAtStart(): Promise<string[]> {
    const ids = await readDeliveries();
    const hasFile = (await lstat(deliveriesFile).catch(() => undefined))?.isFile() === true;
    const recovered = hasFile ? [] : await readDeliveries(newDeliveriesFile);
    if (recovered.length > 0)
      log.warn(
        { file: newDeliveriesFile, ids: recovered.length },
        "delivery ids recovered from a leftover copy",
      );
    return [...recovered, ...ids];
  }

  return {
    dir,
    async add(event) {
      const name = records.write(event);
      if (name === undefined)
        log.warn({ delivery: event.deliveryId }, "event too large to keep on disk: queued in memory only");
      return name;
    },
    async remove(file) {
      await rm(join(dir, file), { force: true });
    },
    async countFailedReplay({ file, event, failedReplays }) {
      writeRecord(file, JSON.stringify({ v: 1, ...event, failedReplays: failedReplays + 1 }));
    },
    async load() {
      const names = (await readdir(dir)).sort();
      const records: StoredEvent[] = [];
      for (const name of names) {
        if (name === DELIVERIES || name === `${DELIVERIES}.new`) continue;
        if (!RECORD_NAME.test(name)) {
          await discard(name, "not a queued event's name");
          continue;
        }
        if (records.length >= options.maxRecords) {
          await discard(name, `more than ${options.maxRecords} queued events`);
          continue;
        }
        const record = await readRecord(name);
        if (record) records.push({ file: name, ...record });
      }
      return records;
    },
    rememberDelivery(deliveryId) {
      // Group commit: the ids remembered while an append runs wait for the next turn together and are
      // written in one append. One append per id, each in its turn, made every acknowledgement of a burst
      // wait for all the appends before its own: at 200 deliveries/s, with a cold review giving the event
      // loop a turn only every few milliseconds, that queue reached seconds (docs/benchmarks.md, target 6).
      waitingIds.push(deliveryId);
      nextAppend ??= inTurn(async () => {
        const ids = waitingIds;
        waitingIds = [];
        nextAppend = undefined;
        await appendFile(deliveriesFile, ids.map((id) => `${id}\n`).join(""));
        appended += ids.length;
        if (appended >= options.maxDeliveries * 2) await compact(await readDeliveries());
      });
      return nextAppend;
    },
    loadDeliveries: () =>
      inTurn(async () => {
        const ids = await readDeliveriesAtStart();
        await compact(ids);
        return ids.slice(-options.maxDeliveries);
      }),
  };
}
