import { main } from "../../../src/cli/main.js";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `nomad-patch` in-process through its exported `main`, exactly as the binary does, with
 * buffers for stdout and stderr (not terminals: no colour, no progress, no question asked).
 */
export async function runCli(
  argv: readonly string[],
  options: {
    readonly env?: NodeJS.ProcessEnv;
    readonly cwd?: string;
    readonly answer?: boolean;
    /** Stops a long-running command, as SIGINT would. */
    readonly interrupted?: AbortSignal;
  } = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { PATH: process.env.PATH, ...options.env },
    cwd: options.cwd ?? process.cwd(),
    confirm: options.answer === undefined ? undefined : async () => options.answer === true,
    interrupted: options.interrupted,
  });
  return { code, stdout, stderr };
}

/** Parses `--json` output, failing with the whole run when it is not JSON. */
export function jsonOf<T = Record<string, unknown>>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(
      `Expected JSON on stdout (exit ${run.code}):\n${run.stdout}\n--- stderr ---\n${run.stderr}`,
    );
  }
}
