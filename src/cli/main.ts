import { createRequire } from "node:module";
import { Command } from "commander";
import { registerApply } from "./commands/apply.js";
import { registerExport } from "./commands/export.js";
import { registerInit } from "./commands/init.js";
import { registerPropose } from "./commands/propose.js";
import { registerShow } from "./commands/show.js";
import { registerStatus } from "./commands/status.js";
import { commandContext, type GlobalOptions, type Runner } from "./context.js";
import { exitCodeFor } from "./exit-codes.js";
import { type CliIo, processIo } from "./io.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

/**
 * `nomad-patch`: parses the command line and hands each command its context. Returns the exit
 * code instead of exiting, so tests drive it in-process exactly as the binary does.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  const fail = (error: unknown) => {
    const result = exitCodeFor(error);
    exitCode = result.code;
    if (result.message) io.stderr.write(`${result.message}\n`);
  };
  const program = new Command("nomad-patch")
    .description("Patch requests for Nomad: propose, review and apply changes to Nomad objects on IPFS.")
    .version(version)
    .option("--kubo <address>", "a running Kubo's RPC address (default: KUBO_API_URL, else a managed node)")
    .option("--json", "machine-readable output on stdout")
    .option(
      "--data-dir <dir>",
      "where the managed node and the apply journal live (default: NOMAD_PATCH_DATA_DIR)",
    )
    .option("-v, --verbose", "progress on stderr even when it is not a terminal")
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError("(add --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  const run: Runner = async (action) => {
    try {
      await action(commandContext(io, program.opts<GlobalOptions>()));
    } catch (error) {
      fail(error);
    }
  };
  registerPropose(program, run);
  registerExport(program, run);
  registerShow(program, run);
  registerApply(program, run);
  registerInit(program, run);
  registerStatus(program, run);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    fail(error);
  }
  return exitCode;
}
