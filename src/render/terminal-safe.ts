import { visibleInvisible } from "./invisible.js";

/**
 * Makes a stranger's string safe to print on a terminal: escape sequences could move the cursor,
 * rewrite earlier lines, change the window title or (on some terminals) write files, so whole
 * sequences are removed first (CSI, OSC, DCS/SOS/PM/APC strings, two-byte escapes), then every other
 * control character. Newlines survive only when `multiline` is set; tabs become spaces. Invisible and
 * bidirectional characters are written out visibly (`⟨U+200B⟩`), as in Markdown.
 */
export function stripTerminalControls(text: string, options: { multiline?: boolean } = {}): string {
  if (isPlain(text, options.multiline === true)) return text;
  const withoutSequences = removeEscapeSequences(text.replace(/\r\n?/g, "\n"));
  let out = "";
  for (const char of withoutSequences) {
    const code = char.codePointAt(0) ?? 0;
    if (code === 0x0a) out += options.multiline ? "\n" : " ";
    else if (code === 0x09) out += "  ";
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) continue;
    else if (code === 0x2028 || code === 0x2029) out += options.multiline ? "\n" : " ";
    else out += visibleInvisible(code) ?? char;
  }
  return out;
}

/** Fast path for the common case (diffs are large and almost always plain). */
function isPlain(text: string, multiline: boolean): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && !(multiline && code === 0x0a)) return false;
    if (code >= 0x7f && code <= 0x9f) return false;
    if (code === 0x2028 || code === 0x2029 || visibleInvisible(code) !== undefined) return false;
  }
  return true;
}

const ESC = 0x1b;
const CSI_8BIT = 0x9b;
const OSC_8BIT = 0x9d;

/**
 * Walks the string once. Unterminated strings (an OSC without BEL/ST) swallow the rest, as a terminal
 * would: better to lose a hostile tail than print half a sequence.
 */
function removeEscapeSequences(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === ESC) {
      const next = text.charCodeAt(i + 1);
      if (next === 0x5b) i = skipCsi(text, i + 2);
      else if (next === 0x5d || next === 0x50 || next === 0x58 || next === 0x5e || next === 0x5f) {
        i = skipString(text, i + 2);
      } else i += Number.isNaN(next) ? 1 : 2;
      continue;
    }
    if (code === CSI_8BIT) {
      i = skipCsi(text, i + 1);
      continue;
    }
    if (code === OSC_8BIT || code === 0x90 || code === 0x98 || code === 0x9e || code === 0x9f) {
      i = skipString(text, i + 1);
      continue;
    }
    out += text[i];
    i += 1;
  }
  return out;
}

/** CSI: parameter and intermediate bytes (0x20–0x3f), then one final byte (0x40–0x7e). */
function skipCsi(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code >= 0x40 && code <= 0x7e) return i + 1;
    if (code < 0x20 || code > 0x3f) return i;
    i += 1;
  }
  return i;
}

/** OSC and friends end at BEL, ST (`ESC \`) or the 8-bit ST. */
function skipString(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x07 || code === 0x9c) return i + 1;
    if (code === ESC && text.charCodeAt(i + 1) === 0x5c) return i + 2;
    i += 1;
  }
  return i;
}
