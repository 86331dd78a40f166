import { CommanderError } from "commander";
import { NomadPatchError } from "../errors.js";

/**
 * One place turns a failure into a message and an exit code: typed errors carry their own
 * (64 usage, 65 data, 66 not found, 69 unavailable, 75 temporary, 3 refused, 4 moved, 5 read-only);
 * commander's own usage errors are 64; anything unexpected is 70 with its stack for a bug report.
 */
export function exitCodeFor(error: unknown): { code: number; message?: string } {
  if (error instanceof CommanderError) {
    const quiet = ["commander.helpDisplayed", "commander.version"].includes(error.code);
    // Commander has already written its own message.
    return { code: quiet ? 0 : 64 };
  }
  if (error instanceof NomadPatchError)
    return { code: error.exitCode, message: `nomad-patch: ${error.message}` };
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { code: 70, message: `nomad-patch: unexpected failure (please report it):\n${detail}` };
}
