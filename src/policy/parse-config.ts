import { ERROR_CHECKS, WARNING_CHECKS } from "./config-checks.js";
import { type ConfigIssue, configIssue } from "./config-issue.js";
import { ConfigSchema, type NomadPatchConfig } from "./config-schema.js";
import { describeZodIssues } from "./describe-zod-issue.js";

/** Enough for any honest mistake; more would only flood the comment that reports them. */
export const MAX_REPORTED_ISSUES = 25;

export type ConfigResult =
  | {
      readonly ok: true;
      readonly config: NomadPatchConfig;
      readonly errors: readonly [];
      readonly warnings: readonly ConfigIssue[];
    }
  | {
      readonly ok: false;
      readonly config: undefined;
      readonly errors: readonly ConfigIssue[];
      readonly warnings: readonly ConfigIssue[];
    };

/**
 * Validate a repository configuration that has already been read into plain data (from YAML, or by
 * Probot's config loader). Never throws on bad input: every problem comes back in `errors`, and
 * `config` (with every default filled in) only when there are none.
 */
export function parseConfig(value: unknown): ConfigResult {
  if (value === undefined || value === null) {
    return failed([
      configIssue([], "is empty: it needs at least a `targets` list naming the Nomad objects to patch"),
    ]);
  }
  let parsed: ReturnType<typeof ConfigSchema.safeParse>;
  try {
    parsed = ConfigSchema.safeParse(value, { reportInput: true });
  } catch (error) {
    // Plain data never gets here; exotic objects (throwing getters, proxies) might.
    return failed([
      configIssue([], `could not be read: ${error instanceof Error ? error.message : String(error)}`),
    ]);
  }
  if (!parsed.success) return failed(describeZodIssues(parsed.error.issues, ConfigSchema));
  const config = parsed.data;
  const errors = ERROR_CHECKS.flatMap((check) => check(config));
  const warnings = capped(WARNING_CHECKS.flatMap((check) => check(config)));
  if (errors.length > 0) return failed(errors, warnings);
  return { ok: true, config, errors: [], warnings };
}

export function failed(errors: readonly ConfigIssue[], warnings: readonly ConfigIssue[] = []): ConfigResult {
  return { ok: false, config: undefined, errors: capped(errors), warnings };
}

function capped(issues: readonly ConfigIssue[]): ConfigIssue[] {
  if (issues.length <= MAX_REPORTED_ISSUES) return [...issues];
  const hidden = issues.length - (MAX_REPORTED_ISSUES - 1);
  return [
    ...issues.slice(0, MAX_REPORTED_ISSUES - 1),
    configIssue([], `and ${hidden} more problems like these`),
  ];
}
