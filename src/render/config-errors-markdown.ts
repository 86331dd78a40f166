import { codeSpan, escapeInline } from "./escape.js";
import { writeMarker } from "./marker.js";

/** Listed in full up to here; a config with more errors is not worth reading error by error. */
const MAX_LISTED = 30;

/**
 * Each problem with the config file: where (a dotted path, and the line and column when the file was
 * read as text, so a maintainer can go straight to it) and what is wrong.
 */
export type ConfigErrorsInput = readonly {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}[];

/**
 * The one comment for an invalid `.github/nomad-patch.yml`: where each problem is and what is wrong. A file
 * that is not there (`missing`: the app installed before the file was committed, the likeliest first
 * sight of the bot) gets what to commit instead of a list of problems.
 */
export function renderConfigErrorsMarkdown(
  errors: ConfigErrorsInput,
  options: { readonly file?: string; readonly missing?: boolean } = {},
): string {
  const marker = writeMarker({ kind: "status", v: 1, state: "config-error", key: null, cid: null });
  const file = codeSpan(options.file ?? ".github/nomad-patch.yml");
  if (options.missing) {
    return [
      marker,
      `### ⚙️ ${file} is missing`,
      "The bot takes no patches in this repository until the file is on the default branch, naming the Nomad objects it takes them for:",
      [
        "```yaml",
        "targets:",
        "  - id: k51…          # the object's roaming key (its IPNS name)",
        "    module: storage   # or wac-project, wac-publisher, wac-user, peer-swarm, generic, auto",
        "```",
      ].join("\n"),
      "Every other setting has a default. The bot reads the file again on the next event.",
    ].join("\n\n");
  }
  const lines = errors
    .slice(0, MAX_LISTED)
    .map(
      (error) =>
        `- ${codeSpan(error.path === "" ? "(root)" : error.path, { max: 100 })}${position(error)}: ${escapeInline(error.message, 300)}`,
    );
  if (errors.length > MAX_LISTED) lines.push(`- …and ${errors.length - MAX_LISTED} more.`);
  return [
    marker,
    `### ⚙️ ${file} is not valid`,
    "The bot does nothing in this repository until it is fixed:",
    lines.join("\n"),
    "Fix the file on the default branch; the bot reads it again on the next event.",
  ].join("\n\n");
}

function position(error: ConfigErrorsInput[number]): string {
  if (error.line === undefined) return "";
  const column = error.column === undefined ? "" : `, column ${error.column}`;
  return ` (line ${error.line}${column})`;
}
