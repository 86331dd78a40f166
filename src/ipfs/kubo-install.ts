import { spawn } from "node:child_process";
import { copyFile, mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  cachedKuboPath,
  findKubo,
  type KuboBinary,
  KuboBinaryError,
  kuboCacheDir,
  kuboVersionOf,
} from "./kubo-binary.js";
import { KUBO_VERSION, packageRoot } from "./kubo-version.js";

export interface EnsureKuboOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Progress lines for a person watching. */
  readonly log?: (line: string) => void;
}

/**
 * Returns a Kubo of the pinned version, installing it into `.tools/bin` when none is
 * found. The ways are tried in order, and the first that works wins:
 *   1. an existing binary (`KUBO_BIN`, the project's cache, `ipfs` on PATH);
 *   2. the official binary through the `kubo` npm package (needs internet access);
 *   3. a build from source with Go ≥ 1.26 through the committed tools module
 *      `tools/kubo` (Go's module and build caches make later builds fast).
 * `NOMAD_PATCH_KUBO_INSTALL=npm|go` keeps only that way.
 */
export async function ensureKubo(options: EnsureKuboOptions = {}): Promise<KuboBinary> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const found = await findKubo(env);
  if (found) return found;

  const only = env.NOMAD_PATCH_KUBO_INSTALL;
  const failures: string[] = [];
  for (const [name, install] of [
    ["npm", installFromNpm],
    ["go", buildWithGo],
  ] as const) {
    if (only && only !== name) continue;
    log(`Kubo ${KUBO_VERSION} not found; trying the ${name} way…`);
    const started = Date.now();
    try {
      await install(env, log);
      const version = await kuboVersionOf(cachedKuboPath);
      if (version !== KUBO_VERSION)
        throw new Error(`the result reports version ${version ?? "(does not run)"}`);
      log(`Kubo ${KUBO_VERSION} installed with ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return { path: cachedKuboPath, version, source: name };
    } catch (error) {
      const reason = summarise((error as Error).message);
      failures.push(`- ${name}: ${reason}`);
      log(`the ${name} way failed: ${reason}`);
    }
  }
  throw new KuboBinaryError(
    [
      `No Kubo ${KUBO_VERSION} could be found or installed. Tried:`,
      `- KUBO_BIN, .tools/bin/ipfs and \`ipfs\` on PATH: none is Kubo ${KUBO_VERSION}`,
      ...failures,
      "Install Kubo yourself and set KUBO_BIN, or install Go ≥ 1.26 and run `npm run kubo:install` again.",
    ].join("\n"),
  );
}

async function installFromNpm(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const prefix = join(kuboCacheDir, "npm");
  await run(
    "npm",
    [
      "install",
      "--no-save",
      "--no-audit",
      "--no-fund",
      "--no-package-lock",
      "--prefix",
      prefix,
      `kubo@${KUBO_VERSION}`,
    ],
    {
      // `npm run --silent` passes npm_config_loglevel=silent down, which would hide why the install failed.
      env: { ...withoutKey(env, "KUBO_BINARY"), npm_config_loglevel: "error" },
      timeoutMs: 5 * 60_000,
      log,
      doing: "installing Kubo from npm",
    },
  );
  await placeBinary(join(prefix, "node_modules", "kubo", "bin", "ipfs"));
}

async function buildWithGo(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const binDir = join(kuboCacheDir, "go-bin");
  // -v names each package as it is compiled: what the progress lines report.
  await run("go", ["install", "-v", "github.com/ipfs/kubo/cmd/ipfs"], {
    cwd: join(packageRoot, "tools", "kubo"),
    env: { ...env, GOBIN: binDir, CGO_ENABLED: "0", GOFLAGS: "-mod=readonly" },
    timeoutMs: 30 * 60_000,
    log,
    doing: "building Kubo with Go (2 to 5 minutes cold)",
  });
  await placeBinary(join(binDir, "ipfs"));
}

/** Copies a fresh binary into the cache under a temporary name, then renames it, so a reader never sees half a file. */
async function placeBinary(source: string): Promise<void> {
  await mkdir(join(kuboCacheDir, "bin"), { recursive: true });
  const partial = `${cachedKuboPath}.partial-${process.pid}`;
  await copyFile(source, partial);
  await rename(partial, cachedKuboPath).catch(async (error) => {
    await rm(partial, { force: true });
    throw error;
  });
}

function withoutKey(env: NodeJS.ProcessEnv, key: string): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy[key];
  return copy;
}

/** How often a long install says it is still working, and on what. */
export const PROGRESS_EVERY_MS = 15_000;

/**
 * Runs an install step; every `progressEveryMs` it logs how long it has run and the step's last output
 * line (the package Go is compiling, npm's download), so a cold build never looks stuck.
 */
export function run(
  command: string,
  args: string[],
  options: {
    cwd?: string;
    env: NodeJS.ProcessEnv;
    timeoutMs: number;
    log: (line: string) => void;
    doing: string;
    progressEveryMs?: number;
  },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    // The last 64 KiB of output, kept whole: chunks split lines anywhere.
    let tail = "";
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-65_536);
    };
    const started = Date.now();
    const progress = setInterval(() => {
      const last = tail.trimEnd().split("\n").at(-1)?.trim().slice(0, 120);
      const seconds = Math.round((Date.now() - started) / 1000);
      options.log(`still ${options.doing}: ${seconds} s${last ? `, now: ${last}` : ""}`);
    }, options.progressEveryMs ?? PROGRESS_EVERY_MS);
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      clearInterval(progress);
      reject(new Error(`${command} could not be started: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      clearInterval(progress);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args[0]} exited with ${signal ?? code}:\n${tail}`));
    });
  });
}

/** The line of a failed install that says why (npm and go bury it among progress and log lines). */
function summarise(message: string): string {
  const lines = message
    .split("\n")
    .map((line) => line.replace(/^npm error\s*/, "").trim())
    .filter((line) => line !== "" && line !== "}" && !line.startsWith("A complete log"));
  const specific = lines.filter((line) =>
    /\b\w*Error:|ENOTFOUND|ECONNREFUSED|EAI_AGAIN|403 Forbidden/.test(line),
  );
  const general = lines.filter((line) => /error|not found|refused|denied/i.test(line));
  return (specific[0] ?? general.at(-1) ?? lines.at(-1) ?? message).slice(0, 300);
}
