import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DecodeError } from "../errors.js";
import { isIpnsName, parseIpnsName } from "../nomad/index.js";
import { withFileLock } from "./file-lock.js";

/**
 * The sources this node learned for each target outside the target's own data: the other devices met while
 * pairing. The fold starts from them too, so the bot sees the operator's devices from its first review, before
 * any roaming value names them. One JSON file in the data directory, `{ "<roaming id>": ["k51…", …] }`,
 * shared by the app and the CLI (a file lock orders writers; readers see a whole file, replaced by rename).
 */
const FILE = "known-sources.json";

export type KnownSources = Readonly<Record<string, readonly string[]>>;

export async function readAllKnownSources(dataDir: string): Promise<KnownSources> {
  const path = join(dataDir, FILE);
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DecodeError(`${path} is not JSON; fix or remove it`, undefined, { cause: error });
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw new DecodeError(`${path} must map roaming key ids to lists of local key ids`);
  const result: Record<string, string[]> = {};
  for (const [target, sources] of Object.entries(parsed)) {
    if (!isIpnsName(target) || !Array.isArray(sources) || !sources.every((s) => isIpnsName(s)))
      throw new DecodeError(`${path} must map roaming key ids to lists of local key ids`, target);
    result[target] = sources as string[];
  }
  return result;
}

/** The known sources of one target (none when the file or the target is absent). */
export async function readKnownSources(dataDir: string, target: string): Promise<readonly string[]> {
  return (await readAllKnownSources(dataDir))[parseIpnsName(target, "target")] ?? [];
}

/** Adds sources to a target's list, once each; returns those that were new. */
export async function addKnownSources(
  dataDir: string,
  target: string,
  sources: readonly string[],
): Promise<string[]> {
  const targetId = parseIpnsName(target, "target");
  const ids = sources.map((s, i) => parseIpnsName(s, `sources[${i}]`));
  await mkdir(dataDir, { recursive: true });
  return withFileLock(join(dataDir, `${FILE}.lock`), async () => {
    const all = { ...(await readAllKnownSources(dataDir)) };
    const current = all[targetId] ?? [];
    const added = [...new Set(ids)].filter((id) => !current.includes(id));
    if (added.length === 0) return [];
    all[targetId] = [...current, ...added];
    const path = join(dataDir, FILE);
    await writeFile(`${path}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
    await rename(`${path}.tmp`, path);
    return added;
  });
}
