import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
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
/** A lock file without a pid is being written; one that stays so this long was left by a crash. */
const PIDLESS_STALE_MS = 5_000;
const ATTEMPTS = 100;

/**
 * Holds `<dataDir>/app.lock` for the life of an app process: a file created with O_EXCL holding its pid,
 * as the apply lock is (src/service/file-lock.ts), but held, not waited for. A lock whose process is
 * gone (a crash, a kill -9) is taken over; one whose process runs refuses the start, naming its pid.
 * Only app processes take it: the CLI's own writes have their own locks.
 */
export async function lockDataDir(dataDir: string, log?: (line: string) => void): Promise<DataDirLock> {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { path, release: () => releaseIfOurs(path) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number((await readFile(path, "utf8").catch(() => "")).trim());
    // This process has not taken it, so a lock naming its own pid was left by an earlier run that had
    // the same pid: a container restarted after a crash starts the app under the same small pid again.
    if (owner > 0 && owner !== process.pid && isAlive(owner)) throw new DataDirInUseError(dataDir, owner);
    if (owner > 0 || (await olderThan(path, PIDLESS_STALE_MS))) {
      log?.(
        `the data directory's lock was left by a process that is gone (pid ${owner || "unknown"}): taken over`,
      );
      await rm(path, { force: true });
      continue;
    }
    // Its owner is between creating the file and writing its pid.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new DataDirInUseError(dataDir, 0);
}

/** Removes the lock only while it is still this process's (a lock taken over is another's now). */
async function releaseIfOurs(path: string): Promise<void> {
  const owner = Number((await readFile(path, "utf8").catch(() => "")).trim());
  if (owner === process.pid) await rm(path, { force: true });
}
