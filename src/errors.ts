/**
 * The project's error family. Errors are thrown deep and caught once: by the Probot
 * handler (which turns them into a status on the issue) and by the CLI (which turns
 * them into a message and an exit code). `code` is stable and machine-readable.
 */
export abstract class NomadPatchError extends Error {
  abstract readonly code: string;
  /** The CLI's exit code for this kind of failure. */
  readonly exitCode: number = 1;
  /** What the reader can do about it, when the message alone does not say (shown on its own line). */
  readonly hint?: string;

  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options);
    this.name = new.target.name;
    if (options?.hint !== undefined) this.hint = options.hint;
  }
}

/** Input that does not have the expected shape: a block, a key, a config file, a CLI argument. */
export class DecodeError extends NomadPatchError {
  readonly code = "DECODE";
  override readonly exitCode = 65; // EX_DATAERR
  constructor(
    message: string,
    /** Where the problem is, e.g. `bafy…/Entries[3].TimestampUtc`. */
    readonly where?: string,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(where ? `${message} (at ${where})` : message, options);
  }
}

/** A usage error: unknown option, missing argument, a name that is not a key. */
export class UsageError extends NomadPatchError {
  readonly code = "USAGE";
  override readonly exitCode = 64; // EX_USAGE
}

/** A limit (entries, bytes, depth, time) was reached: the work was stopped on purpose. */
export class LimitExceededError extends NomadPatchError {
  readonly code = "LIMIT";
  override readonly exitCode = 65;
}

/** A policy refused something (a reserved EventId, an unknown target, a permission). */
export class PolicyRefusal extends NomadPatchError {
  readonly code = "REFUSED";
  override readonly exitCode = 3;
}

/** A programming error: a state the code believed impossible. */
export class InternalError extends NomadPatchError {
  readonly code = "INTERNAL";
  override readonly exitCode = 70; // EX_SOFTWARE
}
