import { open, readFile, rm, stat } from "node:fs/promises";
import { LimitExceededError } from "../errors.js";

/**
 * An exclusive lock between processes (the app and a CLI sharing one data directory): a
 * file created with O_EXCL holding the owner's pid. A lock whose owner is gone is taken over.
 */
export async function withFileLock<T>(path: string, task: () => Promise<T>, waitMs = 120_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(await readFile(path, "utf8").catch(() => ""));
      // No pid yet: the owner is between creating the file and writing its pid, so wait for it;
      // only a pid-less lock that stays so (its owner died in that gap) is stale.
      const stale = owner > 0 ? !isAlive(owner) : await olderThan(path, 5_000);
      if (stale) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() - started > waitMs) {
        throw new LimitExceededError(
          `Another process (pid ${owner}) holds ${path}; gave up after ${waitMs} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await task();
  } finally {
    await rm(path, { force: true });
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
