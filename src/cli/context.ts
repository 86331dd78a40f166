import { access } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type Environment, readEnvironment } from "../config/environment.js";
import { type OpenedKubo, openKubo } from "../ipfs/open-kubo.js";
import type { IpfsStore } from "../ipfs/store.js";
import { prepareDataDir } from "../service/data-dir.js";
import { openBlockCache } from "../service/open-block-cache.js";
import type { CliIo } from "./io.js";
import { kuboApiUrl } from "./kubo-address.js";
import { terminalWidth } from "./terminal-width.js";

/** The options every command accepts. */
export interface GlobalOptions {
  readonly kubo?: string;
  readonly json?: boolean;
  readonly dataDir?: string;
  readonly verbose?: boolean;
  /** Columns for the terminal text (`--width`). */
  readonly width?: string;
}

/** Which node a command ran on: a managed one stops when the command ends. */
export interface NodeInfo extends Pick<OpenedKubo, "managed" | "repoPath" | "binary"> {
  /** Which node that is, in words: the operator checks it is the one meant (the bot's, their own). */
  readonly where: string;
}

/** What a command gets: its I/O, settings, a way to reach the node, and output helpers. */
export interface CommandContext {
  readonly io: CliIo;
  readonly globals: GlobalOptions;
  readonly env: Environment;
  readonly dataDir: string;
  /** Columns the terminal text is laid out for (`terminalWidth`). */
  readonly width: number;
  /** Progress for long resolves: on stderr, only on a terminal or with --verbose. */
  readonly progress: (message: string) => void;
  /** Open the node (--kubo, else KUBO_API_URL, else a managed Kubo), run, and close it again. */
  withStore<T>(task: (store: IpfsStore, node: NodeInfo) => Promise<T>): Promise<T>;
  /**
   * `nomad-patch` with the options that chose this command's node (`--kubo`, `--data-dir`), for the next
   * command a line prints: copied as printed, it reaches the same node (the environment carries the rest).
   */
  readonly sameNode: string;
  /** Write text or, with --json, the value as JSON, to stdout. */
  print(text: string, json: unknown): void;
  path(relative: string): string;
}

export function commandContext(io: CliIo, globals: GlobalOptions): CommandContext {
  const env = readEnvironment(io.env);
  const dataDir = globals.dataDir ? resolve(io.cwd, globals.dataDir) : env.dataDir;
  const showProgress = globals.verbose === true || io.stderr.isTTY === true;
  const progress = (message: string) => {
    if (showProgress) io.stderr.write(`… ${message}\n`);
  };
  return {
    io,
    globals,
    env,
    dataDir,
    width: terminalWidth(io, globals.width),
    sameNode: [
      "nomad-patch",
      ...(globals.kubo ? ["--kubo", shellWord(globals.kubo)] : []),
      ...(globals.dataDir ? ["--data-dir", shellWord(globals.dataDir)] : []),
    ].join(" "),
    progress,
    async withStore(task) {
      // The journals, the cache and a managed node's repository all live there: a directory this user
      // cannot have is a setting to fix, said before anything starts.
      await prepareDataDir(dataDir, "--data-dir (or NOMAD_PATCH_DATA_DIR)");
      const apiUrl = globals.kubo ? kuboApiUrl(globals.kubo) : env.kuboApiUrl;
      const repoPath = join(dataDir, "kubo");
      // A data directory without a node is where a first run starts one, and where a command lands when
      // the operator forgot the bot's NOMAD_PATCH_DATA_DIR: either way they should know a new node answered.
      const newRepository =
        apiUrl === undefined &&
        (await access(join(repoPath, "config")).then(
          () => false,
          () => true,
        ));
      const kubo = await openKubo({
        apiUrl,
        dataDir,
        repoPath: io.env.IPFS_PATH,
        swarmPort: env.kuboSwarmPort,
        useRunningNodeHint:
          "pass --kubo (or set KUBO_API_URL) with the RPC address of the node that holds it (Kubo's default: http://127.0.0.1:5001)",
        limits: {
          timeoutMs: env.callTimeoutMs,
          resolveTimeoutMs: env.resolveTimeoutMs,
          exportIdleMs: env.exportIdleMs,
          exportMaxMs: env.exportMaxMs,
          maxFileBytes: env.maxBytes,
        },
        log: progress,
      });
      // An apply reviews twice (to show, then under the lock): the second review reads no block again,
      // and the cache on disk in the data directory makes the next command start warm.
      const cache = await openBlockCache(kubo.store, { ...env, dataDir }, progress).catch(async (error) => {
        await kubo.close();
        throw error;
      });
      if (kubo.managed && newRepository)
        io.stderr.write(
          `nomad-patch: started a new node for this command, repository ${repoPath} (the data directory ${dataDir} had none)\n  to use another node (the bot's), give its --data-dir or NOMAD_PATCH_DATA_DIR, or --kubo\n`,
        );
      const where =
        apiUrl !== undefined
          ? `the Kubo at ${apiUrl}`
          : kubo.managed
            ? `a node started for this command, repository ${repoPath}`
            : `the running node of the data directory, repository ${repoPath}`;
      try {
        return await task(cache.store, { ...kubo, where });
      } finally {
        await cache.close();
        await kubo.close();
      }
    },
    print(text, json) {
      io.stdout.write(
        globals.json ? `${JSON.stringify(json, null, 2)}\n` : text.endsWith("\n") ? text : `${text}\n`,
      );
    },
    path: (relative) => resolve(io.cwd, relative),
  };
}

/** `text` as one word of a POSIX shell command line: quoted only when it needs to be. */
export function shellWord(text: string): string {
  return /^[\w.@%+=:,/-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/** Runs a command's work with its context; main.ts supplies it, so failures are handled in one place. */
export type Runner = (action: (ctx: CommandContext) => Promise<void>) => Promise<void>;
