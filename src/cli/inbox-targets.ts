import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import type { IpfsStore } from "../ipfs/store.js";
import { isIpnsName, parseIpnsName } from "../nomad/index.js";
import { formatConfigIssue, type NomadPatchConfig, parseConfig, parseConfigYaml } from "../policy/index.js";
import { nodeStatus } from "../service/node-status.js";
import { checkKeyArgument } from "./arguments.js";

/**
 * The rules file of `watch --config FILE` (the app's `.github/nomad-patch.yml` format), or, without one,
 * a file naming `targets` and no rules, under which every patch waits for a person.
 */
export async function readRulesFile(
  path: string | undefined,
  targets: readonly string[],
): Promise<NomadPatchConfig> {
  if (path === undefined) {
    const result = parseConfig({ targets: targets.map((id) => ({ id })) });
    if (!result.ok) throw new UsageError(result.errors.map(formatConfigIssue).join("\n"));
    return result.config;
  }
  const text = await readFile(path, "utf8").catch(() => {
    throw new UsageError(`Cannot read the rules file ${path}`);
  });
  const result = parseConfigYaml(text);
  if (!result.ok)
    throw new UsageError(
      `${path} is not a valid rules file:\n${result.errors.map(formatConfigIssue).join("\n")}`,
    );
  const named = new Set(result.config.targets.map((t) => t.id));
  const missing = targets.filter((t) => !named.has(parseIpnsName(t, "target")));
  if (missing.length > 0)
    throw new UsageError(`${missing.join(", ")} is not a target of ${path}: add it there, or leave it out`);
  return result.config;
}

/** The targets named, else this node's (those it holds a roaming and a local key for). */
export async function inboxTargets(
  store: IpfsStore,
  named: readonly string[],
  options: { readonly dataDir?: string; readonly timeoutMs: number },
): Promise<string[]> {
  for (const target of named) checkKeyArgument(target, "a target");
  if (named.length > 0) return [...new Set(named.map((t) => parseIpnsName(t)))];
  const status = await nodeStatus({ store }, { targets: [], resolve: { timeoutMs: options.timeoutMs } });
  const recorded = options.dataDir === undefined ? [] : await recordedInboxes(options.dataDir);
  return [...new Set([...status.devices.map((d) => d.id), ...recorded])];
}

/** Targets whose inbox has a record in the data directory (something arrived there once). */
async function recordedInboxes(dataDir: string): Promise<string[]> {
  const names = await readdir(join(dataDir, "inbox")).catch(() => [] as string[]);
  return names
    .filter((name) => name.endsWith(".json"))
    .map((name) => name.slice(0, -".json".length))
    .filter((id) => isIpnsName(id));
}

/**
 * Resolves when `signal` aborts, or on the process's SIGINT or SIGTERM when there is none. A wait that ends
 * another way (a listen that reached its count or its time) passes `done` and aborts it: the listeners are
 * then taken off, so a process that runs many commands (the library, the tests) does not collect two signal
 * listeners per command.
 */
export function untilStopped(signal: AbortSignal | undefined, done?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || done?.aborted) return resolve();
    const stop = () => {
      signal?.removeEventListener("abort", stop);
      done?.removeEventListener("abort", stop);
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    done?.addEventListener("abort", stop, { once: true });
    if (signal) signal.addEventListener("abort", stop, { once: true });
    else {
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    }
  });
}
