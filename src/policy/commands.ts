import { DEFAULT_COMMAND_NAMES } from "./config-schema.js";
import { plainParagraphLines } from "./paragraph-lines.js";

export const COMMAND_KINDS = ["apply", "reject", "hold", "refresh"] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

/** Each command's names, as in the configuration's `commands` (an empty list turns a command off). */
export type CommandNames = Readonly<Record<CommandKind, readonly string[]>>;

export interface SlashCommand {
  readonly kind: CommandKind;
  /** The name as it matched, lower-cased: `/approve`. */
  readonly name: string;
  /** For `/reject`, the rest of the line (the reason); for `/apply`, the version named; else empty. */
  readonly args: string;
  /** 1-based line in the comment body. */
  readonly line: number;
}

/** A comment is a request, not a script: more commands than this in one comment are ignored. */
export const MAX_COMMANDS_PER_COMMENT = 10;
const MAX_ARGS_LENGTH = 500;

const COMMAND_LINE = /^ {0,3}(\/[A-Za-z][\w-]*)(?:[ \t]+(.*?))?[ \t]*$/;
/**
 * `/apply <version>`: a prefix of the patch CID or key, as the review shows it, or a revision number
 * (`r2`). Several are taken as a command too, so that `/apply r1 r2` gets an answer rather than silence
 * (the approval then applies nothing: it must name one version).
 */
const VERSION_ARG = /^(?:[A-Za-z0-9]{8,128}|[rR][0-9]{1,30})$/;
const MAX_VERSIONS_NAMED = 10;

/**
 * The slash commands in a comment body, in order. A command counts only when it stands alone on a line
 * that GitHub renders as a line of a plain paragraph (see `plainParagraphLines`), as a person would type
 * it to mean it: `/hold` and `/refresh` with nothing after them, `/apply` optionally naming the version it
 * approves (a CID or key prefix of at least 8 characters, or a revision `rN`), `/reject` optionally
 * followed by a reason.
 * Code, quotes (`> /apply` is someone being quoted) and the lines GitHub folds into them, HTML blocks and
 * comments (invisible to readers), headings and table headers never count. Names are matched without
 * regard to case, because phones capitalise the first letter of a line.
 */
export function parseCommands(body: string, names: CommandNames = DEFAULT_COMMAND_NAMES): SlashCommand[] {
  if (typeof body !== "string") return [];
  const kindOf = new Map<string, CommandKind>();
  for (const kind of COMMAND_KINDS) for (const name of names[kind]) kindOf.set(name.toLowerCase(), kind);

  const found: SlashCommand[] = [];
  const lines = body.split(/\r\n|\r|\n/);
  const plain = plainParagraphLines(lines);
  for (const [index, line] of lines.entries()) {
    if (found.length >= MAX_COMMANDS_PER_COMMENT) break;
    if (!plain[index]) continue;
    const command = readCommand(line, kindOf);
    if (command) found.push({ ...command, line: index + 1 });
  }
  return found;
}

function readCommand(
  line: string,
  kindOf: ReadonlyMap<string, CommandKind>,
): Omit<SlashCommand, "line"> | undefined {
  const match = COMMAND_LINE.exec(line);
  const name = match?.[1]?.toLowerCase();
  const kind = name === undefined ? undefined : kindOf.get(name);
  if (!match || !name || !kind) return undefined;
  const args = (match[2] ?? "").trim();
  // Text after a command that takes none means the line is prose ("/apply is the command to…").
  if (kind === "apply" && args !== "" && !namesVersions(args)) return undefined;
  if (kind !== "reject" && kind !== "apply" && args !== "") return undefined;
  return { kind, name, args: args.slice(0, MAX_ARGS_LENGTH) };
}

/** Every word after `/apply` is a version (`/apply is the command to use` is prose). */
function namesVersions(args: string): boolean {
  const words = args.split(/[ \t]+/);
  return words.length <= MAX_VERSIONS_NAMED && words.every((word) => VERSION_ARG.test(word));
}
