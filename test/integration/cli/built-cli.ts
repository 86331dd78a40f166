import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../../..");

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface BuiltCli {
  /** Runs the installed command as a subprocess: the launcher, the compiled code, real exit codes. */
  run(argv: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** A scratch directory inside the build, removed with it. */
  readonly dir: string;
  dispose(): Promise<void>;
}

/**
 * The CLI compiled with the build settings (limited to its import graph) into a directory of its own, with
 * the launcher and package.json beside it as in a package, so tests that run the binary never race on lib/.
 * The directory is under node_modules, so the compiled code's imports resolve.
 */
export async function buildCli(): Promise<BuiltCli> {
  await mkdir(join(root, "node_modules/.cache"), { recursive: true });
  const dir = await mkdtemp(join(root, "node_modules/.cache/nomad-patch-cli-"));
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
      async (error: { stdout?: string }) => {
        await rm(dir, { recursive: true, force: true });
        throw new Error(`The CLI does not build:\n${error.stdout}`);
      },
    ),
  ]);
  return {
    dir,
    async run(argv, env = {}) {
      try {
        const { stdout, stderr } = await run(process.execPath, [join(dir, "bin/nomad-patch.js"), ...argv], {
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
