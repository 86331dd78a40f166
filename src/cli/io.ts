import { createInterface } from "node:readline/promises";

/** Where the CLI reads and writes: the process, or a test's buffers. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  /** Asks a yes/no question on the terminal; absent when there is no terminal to ask. */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** Relative paths are read against this directory. */
  readonly cwd: string;
  /**
   * Aborted when a long-running command (`watch`, `inbox --listen`) should stop. Absent: the process's
   * SIGINT and SIGTERM stop it.
   */
  readonly interrupted?: AbortSignal;
}

/** The real process: a question is only asked when stdin is a terminal. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    confirm: process.stdin.isTTY ? askOnTerminal : undefined,
  };
}

async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
