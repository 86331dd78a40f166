import type { Probot } from "probot";

type Logger = NonNullable<ConstructorParameters<typeof Probot>[0]>["log"];

/** One log call with every binding of its logger merged in, as pino would write it. */
export interface LogLine {
  readonly level: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  readonly msg: string;
  readonly [field: string]: unknown;
}

/**
 * A stand-in for Probot's pino logger that keeps every line in memory, so a test can assert what the
 * operator would read (the delivery, repository, issue, key and CID of a failure) when nothing could
 * be written on the issue.
 */
export function recordLogs(): { readonly logger: Logger; readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const make = (bindings: Record<string, unknown>): unknown => {
    const at =
      (level: LogLine["level"]) =>
      (fieldsOrMessage: object | string = "", message = ""): void => {
        lines.push(
          typeof fieldsOrMessage === "string"
            ? { ...bindings, level, msg: fieldsOrMessage }
            : { ...bindings, ...fieldsOrMessage, level, msg: message },
        );
      };
    return {
      level: "trace",
      isLevelEnabled: () => true,
      trace: at("trace"),
      debug: at("debug"),
      info: at("info"),
      warn: at("warn"),
      error: at("error"),
      fatal: at("fatal"),
      child: (more: Record<string, unknown>) => make({ ...bindings, ...more }),
    };
  };
  return { logger: make({}) as Logger, lines };
}
