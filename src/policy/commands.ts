import { DEFAULT_COMMAND_NAMES } from "./config-schema.js";

export const COMMAND_KINDS = ["apply", "reject", "hold", "refresh"] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

/** Each command's names, as in the configuration's `commands` (an empty list turns a command off). */
export type CommandNames = Readonly<Record<CommandKind, readonly string[]>>;

export interface SlashCommand {
  readonly kind: CommandKind;
  /** The name as it matched, lower-cased: `/approve`. */
  readonly name: string;
  /** For `/reject`, the rest of the line (the reason); empty otherwise. */
  readonly args: string;
  /** 1-based line in the comment body. */
  readonly line: number;
}

/** A comment is a request, not a script: more commands than this in one comment are ignored. */
export const MAX_COMMANDS_PER_COMMENT = 10;
const MAX_ARGS_LENGTH = 500;

const COMMAND_LINE = /^ {0,3}(\/[A-Za-z][\w-]*)(?:[ \t]+(.*?))?[ \t]*$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const QUOTE_OR_INDENTED_CODE = /^(?: {0,3}>| {4}|\t)/;

/**
 * The slash commands in a comment body, in order. A command counts only when it stands alone on its
 * own line, as a person would type it to mean it: `/apply`, `/hold` and `/refresh` with nothing after
 * them, `/reject` optionally followed by a reason. Lines in fenced or indented code, quotes (`> /apply`
 * is someone being quoted) and HTML comments (invisible to readers) never count. Names are matched
 * without regard to case, because phones capitalise the first letter of a line.
 */
export function parseCommands(body: string, names: CommandNames = DEFAULT_COMMAND_NAMES): SlashCommand[] {
  if (typeof body !== "string") return [];
  const kindOf = new Map<string, CommandKind>();
  for (const kind of COMMAND_KINDS) for (const name of names[kind]) kindOf.set(name.toLowerCase(), kind);

  const found: SlashCommand[] = [];
  const lines = body.split(/\r\n|\r|\n/);
  let fence: { char: string; length: number } | undefined;
  let inHtmlComment = false;
  for (const [index, line] of lines.entries()) {
    if (found.length >= MAX_COMMANDS_PER_COMMENT) break;
    if (fence) {
      if (closesFence(line, fence)) fence = undefined;
      continue;
    }
    if (inHtmlComment) {
      inHtmlComment = !line.includes("-->");
      continue;
    }
    const opening = FENCE_OPEN.exec(line);
    const marker = opening?.[1];
    if (marker && !(marker.startsWith("`") && opening[2]?.includes("`"))) {
      fence = { char: marker[0] ?? "`", length: marker.length };
      continue;
    }
    if (QUOTE_OR_INDENTED_CODE.test(line)) continue;
    if (line.includes("<!--")) {
      inHtmlComment = !line.slice(line.lastIndexOf("<!--")).includes("-->");
      continue;
    }
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
  if (kind !== "reject" && args !== "") return undefined;
  return { kind, name, args: args.slice(0, MAX_ARGS_LENGTH) };
}

function closesFence(line: string, fence: { char: string; length: number }): boolean {
  const closing = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line)?.[1];
  return closing !== undefined && closing[0] === fence.char && closing.length >= fence.length;
}
