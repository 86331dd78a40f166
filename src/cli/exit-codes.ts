import { CommanderError } from "commander";
import { NomadPatchError } from "../errors.js";
import { CommandUsageError } from "./usage-errors.js";

/**
 * A failure the command already reported with its result (a patch published but not posted): the result
 * holds the failure, so only its text on stderr and its exit code are left to give.
 */
export class ReportedFailure extends NomadPatchError {
  readonly code = "REPORTED";
  override readonly exitCode: number;
  constructor(readonly failure: NomadPatchError) {
    super(failure.message, { cause: failure });
    this.exitCode = failure.exitCode;
  }
}

/** A failure as the CLI reports it: in text on stderr, or as `{"error": …}` with `--json`. */
export interface CliFailure {
  /** The error's stable code (`NOT_FOUND`, `USAGE`, …), `INTERNAL` for a bug. */
  readonly code: string;
  readonly exitCode: number;
  readonly message: string;
  readonly hint?: string;
  /** The stack of an unexpected failure, for the bug report. */
  readonly stack?: string;
  /** Already in the command's JSON result: with --json, nothing more is printed. */
  readonly reported?: true;
}

/**
 * One place turns a failure into a message and an exit code: typed errors carry their own
 * (64 usage, 65 data, 66 not found, 69 unavailable, 75 temporary, 3 refused, 4 moved, 5 read-only);
 * commander's own usage errors are 64; anything unexpected is 70 with its stack for a bug report.
 * `undefined` for commander's --help and --version, which are not failures.
 */
export function describeCliFailure(error: unknown): CliFailure | undefined {
  if (error instanceof CommanderError) {
    if (["commander.helpDisplayed", "commander.version"].includes(error.code)) return undefined;
    const hint = error instanceof CommandUsageError ? error.hint : "add --help for usage";
    return { code: "USAGE", exitCode: 64, message: error.message, hint };
  }
  if (error instanceof ReportedFailure) {
    const inner = describeCliFailure(error.failure);
    return inner && { ...inner, reported: true };
  }
  if (error instanceof NomadPatchError) {
    const { code, exitCode, message, hint } = error;
    return hint === undefined ? { code, exitCode, message } : { code, exitCode, message, hint };
  }
  return {
    code: "INTERNAL",
    exitCode: 70,
    message: `unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
    hint: "this is a bug: please report it with the stack",
    stack: error instanceof Error ? error.stack : undefined,
  };
}

/** The text form, for stderr. Commander has already written its own usage errors. */
export function failureText(failure: CliFailure, error: unknown): string | undefined {
  if (error instanceof CommanderError) return undefined;
  const lines = [`nomad-patch: ${failure.message}`];
  if (failure.hint !== undefined) lines.push(`  ${failure.hint}`);
  if (failure.stack !== undefined) lines.push(failure.stack);
  return `${lines.join("\n")}\n`;
}
