import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Config settings by dotted path, e.g. `{ "Routing.Type": "none" }`, as `ipfs config --json` takes them. */
export type KuboConfigSettings = Readonly<Record<string, unknown>>;

/**
 * Applies settings to a stopped repository's config file in one write: one `ipfs config`
 * process per setting costs a second each, which adds up across a test suite.
 */
export async function applyKuboConfig(repoPath: string, settings: KuboConfigSettings): Promise<void> {
  const file = join(repoPath, "config");
  const config = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  for (const [path, value] of Object.entries(settings)) setPath(config, path.split("."), value);
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const next = target[head];
  const child = next && typeof next === "object" ? (next as Record<string, unknown>) : {};
  target[head] = child;
  setPath(child, rest, value);
}
