import { parseIpnsName } from "../nomad/ipns-name.js";

export interface FoundKey {
  /** The key in base36 (`k51…`), whatever form was written. */
  readonly key: string;
  /**
   * True when the writer clearly offered it as a patch (a `Patch:` line, a patch-labelled issue, a
   * comment holding a command): a key that turns out wrong then gets a helpful reply. Otherwise it is
   * an incidental mention, and only a real patch request is answered.
   */
  readonly offered: boolean;
}

// Every form of an IPNS name people paste (docs/design.md §4.1); each candidate is then checked by the parser.
const CANDIDATE =
  /(?:\/ipns\/|ipns:\/\/)?\b(k[0-9a-z]{40,100}|12D3KooW[1-9A-HJ-NP-Za-km-z]{40,60}|bafz[a-z2-7]{40,100})\b/gi;
// `Patch: k51…`, also `**Patch:**`, `- Patch key: …`, as the CLI's delivery writes it.
const PATCH_LINE = /^[\s>*_-]*patch(?:[ -]request)?(?:[ -]key)?[*_]*\s*:/i;

/**
 * The distinct patch keys in a text, in order of appearance, at most `max`. Fenced code is read too:
 * people paste keys in code spans and blocks.
 */
export function findKeys(
  text: string | null | undefined,
  options: { readonly offered: boolean; readonly max: number },
): FoundKey[] {
  const found = new Map<string, FoundKey>();
  for (const line of (text ?? "").split(/\r\n|\r|\n/)) {
    const onPatchLine = PATCH_LINE.test(line);
    for (const match of line.matchAll(CANDIDATE)) {
      const key = normalise(match[1] ?? "");
      if (!key) continue;
      const offered = options.offered || onPatchLine;
      const before = found.get(key);
      if (!before) found.set(key, { key, offered });
      else if (offered && !before.offered) found.set(key, { key, offered });
    }
  }
  return [...found.values()].slice(0, options.max);
}

function normalise(candidate: string): string | undefined {
  try {
    return parseIpnsName(candidate);
  } catch {
    return undefined;
  }
}

/**
 * An issue whose labels say it carries a patch: the configured offer label (`labels.offer`, ignoring
 * case), or without one any label naming a patch (`patch`, `nomad-patch`, …).
 */
export function isPatchLabelled(labels: readonly string[], offer?: string): boolean {
  if (offer !== undefined) return labels.some((label) => label.toLowerCase() === offer.toLowerCase());
  return labels.some((label) => /patch/i.test(label));
}
