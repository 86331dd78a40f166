import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { withFileLock } from "../../../src/service/file-lock.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../../..");
const cache = join(root, "node_modules/.cache");

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface BuiltCli {
  /** Runs the installed command as a subprocess: the launcher, the compiled code, real exit codes. */
  run(argv: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** A scratch directory of this caller's own, removed by `dispose`. */
  readonly dir: string;
  dispose(): Promise<void>;
}

/** A compile on a busy machine takes minutes: the bound on waiting for the shared build. */
const COMPILE_TIMEOUT_MS = 600_000;

/**
 * The `beforeAll` bound for a file that calls `buildCli`: the compile's bound plus the usual hook bound for
 * its daemons. The default hook bound (120 s) failed the first file to compile on a busy machine.
 */
export const BUILD_CLI_HOOK_TIMEOUT_MS = COMPILE_TIMEOUT_MS + 120_000;

/**
 * The CLI compiled with the build settings (limited to its import graph) into a directory of its own, with
 * the launcher and package.json beside it as in a package, so tests that run the binary never race on lib/
 * (which `npm start` rebuilds during the suite). The directory is under node_modules, so the compiled code's
 * imports resolve. A compile costs about 20 s of CPU: it is made once per state of the sources and shared by
 * every test file and every run (CI runs the suite under three Node versions), keyed by a hash of what the
 * output depends on, so a change to any source builds afresh.
 */
export async function buildCli(): Promise<BuiltCli> {
  const build = await sharedBuild();
  const dir = await mkdtemp(join(tmpdir(), "nomad-patch-cli-"));
  return {
    dir,
    async run(argv, env = {}) {
      try {
        const { stdout, stderr } = await run(process.execPath, [join(build, "bin/nomad-patch.js"), ...argv], {
          cwd: root,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
      }
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The build for the sources as they are now: made by the first caller, waited for by the others. */
async function sharedBuild(): Promise<string> {
  await mkdir(cache, { recursive: true });
  const key = await sourcesHash();
  const build = join(cache, `nomad-patch-cli-${key}`);
  return withFileLock(
    `${build}.lock`,
    async () => {
      if (existsSync(join(build, "bin/nomad-patch.js"))) return build;
      const partial = await mkdtemp(`${build}.partial-`);
      try {
        await compile(partial);
        await rename(partial, build);
        await pruneOlderBuilds(build);
      } finally {
        await rm(partial, { recursive: true, force: true });
      }
      return build;
    },
    COMPILE_TIMEOUT_MS,
  );
}

/** Builds of earlier states of the sources, untouched for an hour (a run still using one is long over). */
async function pruneOlderBuilds(current: string): Promise<void> {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of await readdir(cache)) {
    const path = join(cache, name);
    if (!name.startsWith("nomad-patch-cli-") || path === current) continue;
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Date.now() }));
    if (mtimeMs < hourAgo) await rm(path, { recursive: true, force: true });
  }
}

async function compile(dir: string): Promise<void> {
  const config = join(dir, "tsconfig.json");
  await writeFile(
    config,
    JSON.stringify({
      extends: join(root, "tsconfig.build.json"),
      compilerOptions: { outDir: join(dir, "lib"), typeRoots: [join(root, "node_modules/@types")] },
      files: [join(root, "src/cli/main.ts")],
      include: [],
    }),
  );
  await mkdir(join(dir, "bin"));
  await Promise.all([
    copyFile(join(root, "bin/nomad-patch.js"), join(dir, "bin/nomad-patch.js")),
    copyFile(join(root, "package.json"), join(dir, "package.json")),
    run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", config], { cwd: root }).catch(
      (error: { stdout?: string }) => {
        throw new Error(`The CLI does not build:\n${error.stdout}`);
      },
    ),
  ]);
}

/** Everything the build's output depends on: the sources, the launcher, the settings, the compiler. */
async function sourcesHash(): Promise<string> {
  const hash = createHash("sha256");
  const files = [
    ...(await readdir(join(root, "src"), { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name)),
    ...["bin/nomad-patch.js", "package.json", "tsconfig.json", "tsconfig.build.json"].map((f) =>
      join(root, f),
    ),
    join(root, "node_modules/typescript/package.json"),
  ].sort();
  for (const file of files)
    hash
      .update(relative(root, file))
      .update("\0")
      .update(await readFile(file))
      .update("\0");
  return hash.digest("hex").slice(0, 16);
}
