import { type Document, isNode, LineCounter, parseDocument, type YAMLError } from "yaml";
import { type ConfigIssue, configIssue, type PathSegment } from "./config-issue.js";
import { type ConfigResult, failed, parseConfig } from "./parse-config.js";

/** A configuration file is a few dozen lines; anything this large is a mistake or an attack. */
export const MAX_CONFIG_TEXT_LENGTH = 256 * 1024;
// YAML aliases can expand a small file into a huge value ("billion laughs"); real configs need few.
const MAX_ALIAS_COUNT = 100;

/**
 * Read `.github/nomad-patch.yml` from its text and validate it. YAML syntax errors, and every
 * problem found afterwards, carry the line they are on. Never throws on bad input.
 */
export function parseConfigYaml(text: string): ConfigResult {
  if (text.length > MAX_CONFIG_TEXT_LENGTH) {
    return failed([
      configIssue([], `is ${text.length} characters long; at most ${MAX_CONFIG_TEXT_LENGTH} are read`),
    ]);
  }
  const lineCounter = new LineCounter();
  let document: Document.Parsed;
  let value: unknown;
  try {
    document = parseDocument(text, { lineCounter, prettyErrors: false, stringKeys: true, uniqueKeys: true });
    if (document.errors.length > 0) {
      return failed(document.errors.map((error) => syntaxIssue(error, lineCounter)));
    }
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // The parser reports through `errors`; what throws is resource exhaustion (aliases, nesting).
    return failed([
      configIssue([], `cannot be read as YAML: ${error instanceof Error ? error.message : String(error)}`),
    ]);
  }
  const result = parseConfig(value);
  const yamlWarnings = document.warnings.map((warning) => syntaxIssue(warning, lineCounter));
  const locate = (issue: ConfigIssue) => withPosition(issue, document, lineCounter);
  return result.ok
    ? { ...result, warnings: [...yamlWarnings, ...result.warnings].map(locate) }
    : {
        ...result,
        errors: result.errors.map(locate),
        warnings: [...yamlWarnings, ...result.warnings].map(locate),
      };
}

// The parser's own words for these speak of its API or its internals; say what to change instead.
const PLAIN_SYNTAX_MESSAGES: Partial<Record<YAMLError["code"], string>> = {
  MULTIPLE_DOCS: "the file holds several YAML documents (separated by ---); keep everything in one",
  DUPLICATE_KEY: "the same key appears twice in one mapping; keep one",
  TAB_AS_INDENT: "a tab is used for indentation; YAML needs spaces",
};

function syntaxIssue(error: YAMLError, lineCounter: LineCounter): ConfigIssue {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  const message = PLAIN_SYNTAX_MESSAGES[error.code] ?? error.message;
  const kind = error.name === "YAMLWarning" ? "has a YAML oddity" : "is not valid YAML";
  return { ...configIssue([], `${kind}: ${message}`), line, column: col };
}

/** Attach the line of the deepest node on the issue's path that exists in the document. */
function withPosition(issue: ConfigIssue, document: Document.Parsed, lineCounter: LineCounter): ConfigIssue {
  if (issue.line !== undefined) return issue;
  for (let depth = issue.segments.length; depth >= 0; depth--) {
    const node = document.getIn(issue.segments.slice(0, depth) as PathSegment[], true);
    if (isNode(node) && node.range) {
      const { line, col } = lineCounter.linePos(node.range[0]);
      return { ...issue, line, column: col };
    }
  }
  return issue;
}
