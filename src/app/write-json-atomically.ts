import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Writes `value` as JSON to `file` by way of `file.partial` and a rename, so a reader (or a restart after a
 * crash) finds the old file or the new one, never half of one. For the app's small state files (watched keys,
 * transferred issues), which are rebuilt if lost: no fsync.
 */
export async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  await writeFile(partial, `${JSON.stringify(value)}\n`);
  await rename(partial, file);
}
