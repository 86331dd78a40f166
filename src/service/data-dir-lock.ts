import { join } from "node:path";
import { NomadPatchError } from "../errors.js";
import { takePidLock } from "./pid-lock.js";

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
/** Waits for a lock whose owner is not known yet (a starter or a taker between two steps) before refusing. */
const ATTEMPTS = 100;

/**
 * Holds `<dataDir>/app.lock` for the life of an app process: held, not waited for. A lock whose process is
 * gone (a crash, a kill -9) is taken over, by one process however many start at once (pid-lock.ts); one
 * whose process runs refuses the start, naming its pid. Only app processes take it: the CLI's own writes
 * have their own locks.
 */
export async function lockDataDir(dataDir: string, log?: (line: string) => void): Promise<DataDirLock> {
  return takePidLock(join(dataDir, LOCK_FILE), {
    sweepLeftovers: true,
    onTakenOver: (deadPid) =>
      log?.(
        `the data directory's lock was left by a process that is gone (pid ${deadPid || "unknown"}): taken over`,
      ),
    whileHeld: async (owner, attempt) => {
      if (owner > 0 || attempt >= ATTEMPTS) throw new DataDirInUseError(dataDir, owner);
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
    },
  });
}
