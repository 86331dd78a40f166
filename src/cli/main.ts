import { createRequire } from "node:module";
import { Command } from "commander";
import { registerApply } from "./commands/apply.js";
import { registerCreate } from "./commands/create.js";
import { registerDeliver } from "./commands/deliver.js";
import { registerExport } from "./commands/export.js";
import { registerInbox } from "./commands/inbox.js";
import { registerInit } from "./commands/init.js";
import { registerPair } from "./commands/pair.js";
import { registerPropose } from "./commands/propose.js";
import { registerRebase } from "./commands/rebase.js";
import { registerShow } from "./commands/show.js";
import { registerStatus } from "./commands/status.js";
import { registerWatch } from "./commands/watch.js";
import { commandContext, type GlobalOptions, type Runner } from "./context.js";
import { describeCliFailure, failureText } from "./exit-codes.js";
import { type CliIo, processIo } from "./io.js";
import { nameCommandInUsageErrors } from "./usage-errors.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

/**
 * `nomad-patch`: parses the command line and hands each command its context. Returns the exit
 * code instead of exiting, so tests drive it in-process exactly as the binary does. With `--json`,
 * stdout holds exactly one JSON object, the result or `{"error": …}`, and stderr only progress.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  // Commander reports a usage error before the options are stored: fall back to the raw words.
  const json = () => program.opts<GlobalOptions>().json === true || argv.includes("--json");
  const fail = (error: unknown) => {
    const failure = describeCliFailure(error);
    if (failure === undefined) return;
    exitCode = failure.exitCode;
    if (json()) {
      if (!failure.reported) io.stdout.write(`${JSON.stringify({ error: failure }, null, 2)}\n`);
    } else io.stderr.write(failureText(failure, error) ?? "");
  };
  const program = new Command("nomad-patch")
    .description("Patch requests for Nomad: propose, review and apply changes to Nomad objects on IPFS.")
    .version(version)
    .option("--kubo <address>", "a running Kubo's RPC address (default: KUBO_API_URL, else a managed node)")
    .option("--json", "machine-readable output on stdout")
    .option(
      "--data-dir <dir>",
      "where the managed node, the apply journal and the paired devices live (default: NOMAD_PATCH_DATA_DIR, else ~/.local/share/nomad-patch)",
    )
    .option("-v, --verbose", "progress on stderr even when it is not a terminal")
    .option(
      "--width <columns>",
      "columns for the text output (default: COLUMNS, else the terminal's width, else 100)",
    )
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      // Commander's usage errors: with --json, `fail` writes them as JSON instead.
      writeErr: (s) => (json() ? undefined : io.stderr.write(s)),
    });
  const run: Runner = async (action) => {
    try {
      await action(commandContext(io, program.opts<GlobalOptions>()));
    } catch (error) {
      fail(error);
    }
  };
  registerPropose(program, run);
  registerRebase(program, run);
  registerExport(program, run);
  registerShow(program, run);
  registerApply(program, run);
  registerInit(program, run);
  registerCreate(program, run);
  registerPair(program, run);
  registerStatus(program, run);
  registerDeliver(program, run);
  registerInbox(program, run);
  registerWatch(program, run);
  // After registering: each command's usage error names that command's --help.
  nameCommandInUsageErrors(program);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    fail(error);
  }
  return exitCode;
}
