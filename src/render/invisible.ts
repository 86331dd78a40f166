/**
 * Characters that show nothing, or reorder what follows, in a name or a title: `read\u200Bme.txt` and
 * `readme.txt` look the same, and a right-to-left override makes `txt.exe` read as `exe.txt`. Where
 * the bot shows a stranger's text they are written out visibly as `⟨U+200B⟩`, so look-alikes differ.
 * Variation selectors stay (emoji need them).
 */
export function visibleInvisible(code: number): string | undefined {
  if (!isInvisible(code)) return undefined;
  return `⟨U+${code.toString(16).toUpperCase().padStart(4, "0")}⟩`;
}

function isInvisible(code: number): boolean {
  if (code < 0xad) return false;
  return (
    code === 0x00ad || // soft hyphen
    code === 0x034f || // combining grapheme joiner
    code === 0x061c || // Arabic letter mark
    code === 0x115f ||
    code === 0x1160 || // Hangul fillers
    code === 0x17b4 ||
    code === 0x17b5 ||
    (code >= 0x180b && code <= 0x180f) || // Mongolian selectors and vowel separator
    (code >= 0x200b && code <= 0x200f) || // zero-width space, (non-)joiner, LRM, RLM
    (code >= 0x202a && code <= 0x202e) || // bidi embeddings and overrides
    (code >= 0x2060 && code <= 0x2064) || // word joiner, invisible operators
    (code >= 0x2066 && code <= 0x206f) || // bidi isolates, deprecated format characters
    code === 0x3164 || // Hangul filler
    code === 0xfeff || // zero-width no-break space
    code === 0xffa0 // halfwidth Hangul filler
  );
}
