import { type ChildProcess, execFile, spawn } from "node:child_process";
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { NomadPatchError } from "../errors.js";
import { applyKuboConfig, type KuboConfigSettings } from "./kubo-repo-config.js";

const execFileAsync = promisify(execFile);

export interface KuboDaemonOptions {
  readonly binary: string;
  /** The repository; created with `ipfs init` when it holds no config yet. */
  readonly repoPath: string;
  /** `ipfs init --profile` for a new repository, e.g. `test` for hermetic loopback nodes. */
  readonly initProfiles?: readonly string[];
  /** Settings written before every start (they win over the profile). */
  readonly config?: KuboConfigSettings;
  readonly readyTimeoutMs?: number;
  /** Where the daemon's output goes, line by line (default: dropped). */
  readonly log?: (line: string) => void;
}

export interface RunningKubo {
  readonly apiUrl: string;
  readonly repoPath: string;
  readonly pid: number;
  /** Resolves when the daemon exits, for whatever reason. */
  readonly exited: Promise<number | null>;
  /** SIGINT, then SIGKILL if the daemon has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export class KuboDaemonError extends NomadPatchError {
  readonly code = "KUBO_DAEMON";
  override readonly exitCode = 69;
}

/** Starts `ipfs daemon` on a repository and waits until its RPC API answers. */
export async function startKuboDaemon(options: KuboDaemonOptions): Promise<RunningKubo> {
  const env = { ...process.env, IPFS_PATH: options.repoPath, IPFS_TELEMETRY: "off" };
  if (!(await exists(join(options.repoPath, "config")))) {
    const profiles = options.initProfiles?.length ? [`--profile=${options.initProfiles.join(",")}`] : [];
    await execFileAsync(options.binary, ["init", ...profiles], { env, timeout: 60_000 }).catch((error) => {
      throw new KuboDaemonError(`ipfs init failed in ${options.repoPath}: ${(error as Error).message}`, {
        cause: error,
      });
    });
  }
  if (options.config) await applyKuboConfig(options.repoPath, options.config);

  const child = spawn(options.binary, ["daemon", "--migrate=false"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const output: string[] = [];
  await waitUntilReady(child, exited, output, options).catch(async (error) => {
    child.kill("SIGKILL");
    await exited;
    throw error;
  });
  const apiUrl = multiaddrToUrl((await readFile(join(options.repoPath, "api"), "utf8")).trim());
  return {
    apiUrl,
    repoPath: options.repoPath,
    pid: child.pid ?? -1,
    exited,
    stop: (graceMs = 10_000) => stopChild(child, exited, graceMs),
  };
}

function waitUntilReady(
  child: ChildProcess,
  exited: Promise<number | null>,
  output: string[],
  options: KuboDaemonOptions,
): Promise<void> {
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new KuboDaemonError(`Kubo did not become ready within ${timeoutMs} ms:\n${output.join("\n")}`),
        ),
      timeoutMs,
    );
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        output.push(line);
        if (output.length > 40) output.shift();
        options.log?.(line);
        if (line.includes("Daemon is ready")) {
          clearTimeout(timer);
          resolve();
        }
      }
    };
    child.stdout?.on("data", onLine);
    child.stderr?.on("data", onLine);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new KuboDaemonError(`Kubo exited with code ${code} before it was ready:\n${output.join("\n")}`));
    });
  });
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<number | null>,
  graceMs: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** `/ip4/127.0.0.1/tcp/5001` → `http://127.0.0.1:5001`. */
export function multiaddrToUrl(multiaddr: string): string {
  const match = /^\/(ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/(\d+)/.exec(multiaddr);
  if (!match) throw new KuboDaemonError(`cannot read the API address ${JSON.stringify(multiaddr)}`);
  const host = match[1] === "ip6" ? `[${match[2]}]` : match[2];
  return `http://${host}:${match[3]}`;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
