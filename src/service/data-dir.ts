import { constants } from "node:fs";
import { access, mkdir } from "node:fs/promises";
import { UsageError } from "../errors.js";

/** The errors that say this user cannot have the directory at that path, as opposed to a failing disk. */
const NOT_THEIRS = new Set(["EACCES", "EPERM", "EROFS", "ENOTDIR", "EEXIST"]);

/**
 * Creates the data directory if need be and checks this process may write in it, before anything is
 * started on it. The operator's guide names `/srv/nomad-patch`, which a user without root cannot create:
 * the first write (the app's lock, the managed node's repository) failed with the bare system error,
 * which the app ended with exit 1 and the CLI called a bug. `setting` is what the operator changes, in the
 * caller's words (the app has only the environment; the CLI also `--data-dir`).
 */
export async function prepareDataDir(dataDir: string, setting: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true });
    await access(dataDir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined || !NOT_THEIRS.has(code)) throw error;
    throw new UsageError(`The data directory ${dataDir} cannot be used by this user (${code})`, {
      hint: `set ${setting} to a directory this user may write, or have this one created and owned by this user`,
      cause: error,
    });
  }
}
