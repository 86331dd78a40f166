import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { expect } from "vitest";

/** The repository, where the built app (`lib/`) and Probot's command live. */
export const root = join(import.meta.dirname, "../../..");
/** The README's run command ends in `node lib/app/main.js`. */
export const mainJs = join(root, "lib/app/main.js");

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startApp(
  env: Record<string, string>,
  cleanups: Array<() => Promise<void>>,
  command: readonly string[] = [process.execPath, mainJs],
) {
  const port = await freePort();
  const [file = "", ...args] = command;
  const child: ChildProcess = spawn(file, args, {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout?.on("data", (chunk) => {
    text += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    text += chunk;
  });
  const exitCode = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT");
      await exitCode;
    }
  });
  return {
    child,
    exitCode,
    url: `http://localhost:${port}`,
    output: () => text,
    async waitFor(pattern: RegExp, timeoutMs = 60_000) {
      const started = Date.now();
      while (!pattern.test(text)) {
        if (child.exitCode !== null) throw new Error(`the app exited early:\n${text}`);
        if (Date.now() - started > timeoutMs)
          throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

/** The managed daemon's pid, from Kubo's repo lock holder via /proc (Linux, as CI). */
export async function daemonPid(repoPath: string): Promise<number> {
  const api = await readFile(join(repoPath, "api"), "utf8");
  expect(api).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+/);
  const { execFileSync } = await import("node:child_process");
  const out = execFileSync("pgrep", ["-f", `ipfs daemon`], { encoding: "utf8" }).trim().split("\n");
  for (const pid of out.map(Number)) {
    const environ = await readFile(`/proc/${pid}/environ`, "utf8").catch(() => "");
    if (environ.split("\0").includes(`IPFS_PATH=${repoPath}`)) return pid;
  }
  throw new Error(`no ipfs daemon runs on ${repoPath}`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
