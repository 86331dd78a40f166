import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { NomadPatchError } from "../errors.js";
import { KUBO_VERSION, packageRoot } from "./kubo-version.js";

const execFileAsync = promisify(execFile);

export type KuboSource = "KUBO_BIN" | "cache" | "PATH" | "npm" | "go";

export interface KuboBinary {
  readonly path: string;
  readonly version: string;
  readonly source: KuboSource;
}

/** No usable Kubo binary could be found or installed. */
export class KuboBinaryError extends NomadPatchError {
  readonly code = "KUBO_BINARY";
  override readonly exitCode = 69;
}

/** Where the project keeps the Kubo it installs itself (git-ignored). */
export const kuboCacheDir = join(packageRoot, ".tools");
export const cachedKuboPath = join(kuboCacheDir, "bin", "ipfs");

/** The version an `ipfs` binary reports, or undefined when it does not run. */
export async function kuboVersionOf(path: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(path, ["version", "--number"], { timeout: 15_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/**
 * Finds an installed Kubo of the pinned version, without installing anything:
 * `KUBO_BIN` first (a wrong version there is an error, not a silent fallback, since the
 * user asked for it), then the project's own cache, then `ipfs` on PATH.
 */
export async function findKubo(env: NodeJS.ProcessEnv = process.env): Promise<KuboBinary | undefined> {
  const explicit = env.KUBO_BIN;
  if (explicit) {
    const version = await kuboVersionOf(explicit);
    if (version === undefined)
      throw new KuboBinaryError(`KUBO_BIN=${explicit} does not run as \`ipfs version\``);
    if (!/^\d+\.\d+\.\d+\S*$/.test(version)) {
      // /bin/true and other programs answer too: name what was printed instead of a blank version.
      const printed = version === "" ? "nothing" : JSON.stringify(version.split("\n")[0]?.slice(0, 80));
      throw new KuboBinaryError(
        `KUBO_BIN=${explicit} printed ${printed} for \`ipfs version --number\`: it is not Kubo (nomad-patch needs Kubo ${KUBO_VERSION})`,
      );
    }
    if (version !== KUBO_VERSION) {
      throw new KuboBinaryError(
        `KUBO_BIN=${explicit} is Kubo ${version}; nomad-patch needs Kubo ${KUBO_VERSION}`,
      );
    }
    return { path: explicit, version, source: "KUBO_BIN" };
  }
  if ((await kuboVersionOf(cachedKuboPath)) === KUBO_VERSION) {
    return { path: cachedKuboPath, version: KUBO_VERSION, source: "cache" };
  }
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, "ipfs");
    if (!(await isExecutable(candidate))) continue;
    if ((await kuboVersionOf(candidate)) === KUBO_VERSION)
      return { path: candidate, version: KUBO_VERSION, source: "PATH" };
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
