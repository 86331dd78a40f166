import { randomBytes } from "node:crypto";
import { link, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * A lock file between processes, holding its owner's pid: the data directory's `app.lock`, the apply
 * journal's and inbox's per-target locks, the disk block cache's. A lock whose owner is gone (a crash, a
 * kill -9) is taken over, by one process only however many find it at once (docs/decisions.md, "The data
 * directory's lock: taking over a dead one's, race-free", and "Every lock file takes over a dead owner's
 * the same way"):
 * - the lock appears whole: a file holding this pid is written beside it, then hard-linked to the lock's
 *   path, which fails if it exists (there is no moment where the lock exists without its pid);
 * - a dead owner's lock is removed only by one process at a time (`removeDeadLock`), and only while it is
 *   still that very file; then every taker tries the link again, and one wins.
 * A lock naming this process's own pid that this process does not hold was left by an earlier run under the
 * same pid (a container restarted after a crash starts its program under the same small pid): it is dead.
 */
export interface PidLock {
  readonly path: string;
  /** Removes the lock, only while it is still this process's. */
  release(): Promise<void>;
}

export interface TakeOptions {
  /**
   * The lock is held by a live process (`ownerPid`; 0 when it is not known yet: a lock without a pid that
   * is younger than a crash's, or another process removing a dead one). Wait and return to try again, or
   * throw to give up; `attempt` counts the tries so far, for a bound.
   */
  whileHeld(ownerPid: number, attempt: number): Promise<void>;
  /**
   * Look for what dead takers left beside the lock at every take, not only after a takeover: for a lock
   * taken rarely (the app's, at start). A lock taken per write (the journal's, the inbox's) looks only
   * after taking over a dead one, so a flood of writes does not list the directory each time.
   */
  sweepLeftovers?: boolean;
  /** Told when a dead process's lock is taken over, with that process's pid (0 if the lock named none). */
  onTakenOver?: (deadPid: number) => void;
}

/**
 * Locks this process holds now, each with the pid file it was linked from: what tells this process's live
 * lock from a dead run's under the same pid, and one holder in this process from the next.
 */
const heldHere = new Map<string, string>();

/** A lock file without a pid was written by an older version; one that stays so this long was left by a crash. */
const PIDLESS_STALE_MS = 5_000;
/** Takers of one dead lock that may die in turn before the next one gives up (each leaves its marker). */
const MAX_TAKERS = 10;

/** A lock file as found: its owner's pid (0 if none) and what tells this file from any later one. */
interface FoundLock {
  readonly pid: number;
  readonly identity: string;
}

/** Takes the lock at `path`, waiting or giving up as `whileHeld` says while a live process holds it. */
export async function takePidLock(path: string, options: TakeOptions): Promise<PidLock> {
  const mine = `${path}.pid-${process.pid}-${randomBytes(6).toString("hex")}`;
  await writeFile(mine, String(process.pid));
  let tookOver = false;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(mine, path);
        heldHere.set(path, mine);
        if (tookOver || options.sweepLeftovers) await removeLeftovers(path);
        return { path, release: () => releaseIfOurs(path, mine) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const found = await readLock(path);
      if (!found) continue;
      const owner = found.pid;
      const live = owner === process.pid ? heldHere.has(path) : owner > 0 && isAlive(owner);
      if (live) {
        await options.whileHeld(owner, attempt);
        continue;
      }
      if (owner > 0 || (await olderThan(path, PIDLESS_STALE_MS))) {
        const removed = await removeDeadLock(path, found, mine);
        if (removed === "removed") {
          tookOver = true;
          options.onTakenOver?.(owner);
        }
        // Another process is removing it: it is gone in a moment, or has been replaced by a live lock.
        if (removed === "busy") await options.whileHeld(0, attempt);
        continue;
      }
      await options.whileHeld(0, attempt);
    }
  } finally {
    await rm(mine, { force: true });
  }
}

/** Whether a process with this pid runs (one of another user's counts as running). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether the file was last written more than `ms` ago (a missing file counts as old). */
export async function olderThan(path: string, ms: number): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info === undefined || Date.now() - info.mtimeMs > ms;
}

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
 * The right to remove it is a marker named after the file (`<lock>.takeover-<identity>-<n>`), made by
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
 * What processes that died while taking the lock left beside it: their pid files and takeover markers.
 * Removed once this process holds the lock; a live taker's files are its own to remove.
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
async function releaseIfOurs(path: string, mine: string): Promise<void> {
  if (heldHere.get(path) !== mine) return;
  const owner = Number((await readFile(path, "utf8").catch(() => "")).trim());
  if (owner === process.pid) await rm(path, { force: true });
  // Forgotten after the file is gone, and only if no other task of this process has linked it since.
  if (heldHere.get(path) === mine) heldHere.delete(path);
}
