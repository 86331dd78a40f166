import { randomBytes } from "node:crypto";
import { link, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { NomadPatchError } from "../errors.js";
import { isAlive, olderThan } from "./file-lock.js";

/** Another live process holds the data directory. */
export class DataDirInUseError extends NomadPatchError {
  readonly code = "IN_USE";
  override readonly exitCode = 75; // EX_TEMPFAIL: it may start once the other process stops
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number,
  ) {
    super(
      `Another nomad-patch app (pid ${ownerPid}) uses the data directory ${dataDir}; two apps on one data directory would replay each other's queued work and overwrite each other's watched keys`,
      { hint: "Stop that process, or give this one its own NOMAD_PATCH_DATA_DIR." },
    );
  }
}

/** The data directory, held by this process until `release`. */
export interface DataDirLock {
  readonly path: string;
  release(): Promise<void>;
}

const LOCK_FILE = "app.lock";
/** A lock file without a pid was written by an older version; one that stays so this long was left by a crash. */
const PIDLESS_STALE_MS = 5_000;
const ATTEMPTS = 100;
/** Takers of one dead lock that may die in turn before the next one gives up (each leaves its marker). */
const MAX_TAKERS = 10;

/** A lock file as found: its owner's pid (0 if none) and what tells this file from any later one. */
interface FoundLock {
  readonly pid: number;
  readonly identity: string;
}

/**
 * Holds `<dataDir>/app.lock` for the life of an app process: held, not waited for. A lock whose process is
 * gone (a crash, a kill -9) is taken over; one whose process runs refuses the start, naming its pid. Only
 * app processes take it: the CLI's own writes have their own locks.
 *
 * Race-free between processes starting at once (docs/decisions.md, "The data directory's lock: taking
 * over a dead one's, race-free"):
 * - the lock appears whole: a file holding this pid is written beside it, then hard-linked to
 *   `app.lock`, which fails if it exists (no pid-less moment);
 * - a dead owner's lock is removed only by one process at a time (`removeDeadLock`), and only while it is
 *   still that very file; then every taker tries the link again, and one wins.
 */
export async function lockDataDir(dataDir: string, log?: (line: string) => void): Promise<DataDirLock> {
  const path = join(dataDir, LOCK_FILE);
  const mine = `${path}.pid-${process.pid}-${randomBytes(6).toString("hex")}`;
  await writeFile(mine, String(process.pid));
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        await link(mine, path);
        await removeLeftovers(path);
        return { path, release: () => releaseIfOurs(path) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const found = await readLock(path);
      if (!found) continue;
      const owner = found.pid;
      // This process has not taken it, so a lock naming its own pid was left by an earlier run that had
      // the same pid: a container restarted after a crash starts the app under the same small pid again.
      if (owner > 0 && owner !== process.pid && isAlive(owner)) throw new DataDirInUseError(dataDir, owner);
      if (owner > 0 || (await olderThan(path, PIDLESS_STALE_MS))) {
        const removed = await removeDeadLock(path, found, mine);
        if (removed === "removed")
          log?.(
            `the data directory's lock was left by a process that is gone (pid ${owner || "unknown"}): taken over`,
          );
        // Another process is removing it: it is gone in a moment, or has been replaced by a live lock.
        if (removed === "busy") await pause();
        continue;
      }
      await pause();
    }
    throw new DataDirInUseError(dataDir, 0);
  } finally {
    await rm(mine, { force: true });
  }
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));

async function readLock(path: string): Promise<FoundLock | undefined> {
  try {
    // Read before its identity: if it is replaced in between, the identity is the new file's, which no
    // taker of the old one then matches, so nothing is removed.
    const pid = Number((await readFile(path, "utf8")).trim());
    const info = await stat(path, { bigint: true });
    return { pid: Number.isInteger(pid) && pid > 0 ? pid : 0, identity: `${info.ino}-${info.mtimeNs}` };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Removes the dead owner's lock `found`, unless another process is doing so, or it is no longer that file.
 * The right to remove it is a marker named after the file (`app.lock.takeover-<identity>-<n>`), made by
 * linking this process's pid file (exclusive, and whole at once); a marker whose maker is gone (it died
 * here) is skipped for the next `n`. Holding it, the lock is looked at again and removed only if it is
 * still `found`: a taker that was slower than another finds the other's live lock and removes nothing.
 * The marker is removed after, so the next taker of `found` finds the lock changed.
 */
async function removeDeadLock(
  path: string,
  found: FoundLock,
  mine: string,
): Promise<"removed" | "changed" | "busy"> {
  for (let n = 0; n < MAX_TAKERS; n++) {
    const marker = `${path}.takeover-${found.identity}-${n}`;
    try {
      await link(mine, marker);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const taker = Number((await readFile(marker, "utf8").catch(() => "")).trim());
      if (taker === 0 || isAlive(taker)) return "busy";
      continue;
    }
    try {
      const now = await readLock(path);
      if (now?.identity !== found.identity || now.pid !== found.pid) return "changed";
      await rm(path, { force: true });
      return "removed";
    } finally {
      await rm(marker, { force: true });
    }
  }
  return "busy";
}

/**
 * What processes that died while starting left beside the lock: their pid files and takeover markers.
 * Removed once this process holds the lock; a live starter's files are its own to remove.
 */
async function removeLeftovers(path: string): Promise<void> {
  const prefix = `${basename(path)}.`;
  const dir = dirname(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    let pid: number;
    // A pid file is named by its pid (its text may not be written yet); a marker is a link of a whole one.
    if (name.startsWith(`${prefix}pid-`)) pid = Number(name.slice(prefix.length + 4).split("-")[0]);
    else if (name.startsWith(`${prefix}takeover-`))
      pid = Number((await readFile(join(dir, name), "utf8").catch(() => "")).trim());
    else continue;
    if (pid !== process.pid && !isAlive(pid)) await rm(join(dir, name), { force: true });
  }
}

/** Removes the lock only while it is still this process's (a lock taken over is another's now). */
async function releaseIfOurs(path: string): Promise<void> {
  const owner = Number((await readFile(path, "utf8").catch(() => "")).trim());
  if (owner === process.pid) await rm(path, { force: true });
}
