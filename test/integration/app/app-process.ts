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

/** What Probot prints when the port it was given is taken (its server's EADDRINUSE message). */
const PORT_TAKEN = /Port \d+ is already in use/;

/**
 * The app as a child process on a port `choosePort` found free. The port is closed again before the app
 * opens it (Probot takes a port number, not a socket), so on a busy machine another process may take it
 * first: the app then exits saying so, and `waitFor` starts it again on a new port. A test that names its
 * own `PORT` in `env` gets no second try. `child`, `exitCode`, `url` and `output` follow the latest start.
 */
export async function startApp(
  env: Record<string, string>,
  cleanups: Array<() => Promise<void>>,
  command: readonly string[] = [process.execPath, mainJs],
  choosePort: () => Promise<number> = freePort,
  cwd = root,
) {
  const [file = "", ...args] = command;
  const ownPort = env.PORT === undefined;
  const spawnOn = (port: number) => {
    const child: ChildProcess = spawn(file, args, {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const started = { child, port, text: "", exitCode: new Promise<number | null>(() => {}) };
    started.exitCode = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    child.stdout?.on("data", (chunk) => {
      started.text += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      started.text += chunk;
    });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGINT");
        await started.exitCode;
      }
    });
    return started;
  };
  let current = spawnOn(ownPort ? await choosePort() : Number(env.PORT));
  /** Output of the starts that lost their port, kept so that a failure shows everything. */
  let before = "";
  return {
    get child() {
      return current.child;
    },
    get exitCode() {
      return current.exitCode;
    },
    get url() {
      return `http://localhost:${current.port}`;
    },
    output: () => before + current.text,
    async waitFor(pattern: RegExp, timeoutMs = 60_000) {
      const started = Date.now();
      while (!pattern.test(current.text)) {
        if (current.child.exitCode !== null) {
          if (!ownPort || !PORT_TAKEN.test(current.text))
            throw new Error(`the app exited early:\n${before}${current.text}`);
          before += current.text;
          current = spawnOn(await choosePort());
          continue;
        }
        if (Date.now() - started > timeoutMs)
          throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${before}${current.text}`);
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
