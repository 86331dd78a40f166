import { open, readFile, rm } from "node:fs/promises";
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
      if (!isAlive(owner)) {
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

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
