/** A problem found in a repository's configuration, precise enough for a maintainer to fix it. */
export interface ConfigIssue {
  /** Where, as a YAML path such as `rules[2].match.eventId`; empty for the file as a whole. */
  readonly path: string;
  /** The same place as keys and indexes, for tools that walk the document. */
  readonly segments: readonly PathSegment[];
  /** What is wrong: what was expected and what came. */
  readonly message: string;
  /** 1-based position in the YAML text, when the configuration was parsed from text. */
  readonly line?: number;
  readonly column?: number;
}

export type PathSegment = string | number;

/** `["rules", 2, "match", "eventId"]` → `rules[2].match.eventId`; odd keys are quoted. */
export function formatConfigPath(segments: readonly PathSegment[]): string {
  let path = "";
  for (const segment of segments) {
    if (typeof segment === "number") path += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) path += path === "" ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

/** One line for a comment or a log: `rules[2].match.eventId (line 14, column 16): expected … got …`. */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.path === "" ? "the file" : issue.path;
  const column = issue.column === undefined ? "" : `, column ${issue.column}`;
  const position = issue.line === undefined ? "" : ` (line ${issue.line}${column})`;
  return `${where}${position}: ${issue.message}`;
}

export function configIssue(segments: readonly PathSegment[], message: string): ConfigIssue {
  return { path: formatConfigPath(segments), segments, message };
}
