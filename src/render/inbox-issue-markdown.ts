import { codeSpan, escapeInline, oneLine } from "./escape.js";

/**
 * The issue the app opens for a patch request that arrived in a target's inbox (docs/design.md §8): a
 * title from the patch's own, and a body a person could have written, with its `Patch:` line, saying
 * that nobody on GitHub posted it. The last line is a hidden marker naming the key and the target, by
 * which the app counts its open inbox issues and finds the issue of a key again after a restart.
 *
 *   <!-- nomad-patch:inbox {"v":1,"key":"k51…","target":"k51…","sig":"…"} -->
 *
 * The marker is only believed on issues the bot itself opened (anyone can write one in their own issue)
 * and when its `sig` is the bot's for the repository (app/marker-signer.ts): anyone with write access can
 * edit the bot's issue body. This module only writes, finds and places the field; it knows no key.
 */
export interface InboxIssueInput {
  readonly key: string;
  readonly target: string;
  /** The target's display name from the configuration, when it has one. */
  readonly targetName?: string;
  /** The patch request's title, as the contributor wrote it. */
  readonly title: string;
  /** The pubsub peer that delivered the key. */
  readonly from: string;
}

/** What an inbox marker names: the patch key and the target whose inbox it arrived in. */
export interface InboxIssueMarker {
  readonly key: string;
  readonly target: string;
}

/** GitHub caps an issue title at 256 characters. */
const MAX_TITLE = 120;
const MARKER = /^<!-- nomad-patch:inbox (\{[^\n]{1,400}\}) -->$/m;
const MARKER_LINE = /^<!-- nomad-patch:inbox \{[^\n]{1,400}\} -->$/gm;
const BASE36_KEY = /^k[0-9a-z]{40,100}$/;
/** A signature: HMAC-SHA256, base64url without padding (as a comment's). */
const SIG = /^[A-Za-z0-9_-]{43}$/;
/** The marker's fields in the one order they are written and signed in. */
const markerJson = (marker: InboxIssueMarker, sig?: string) =>
  JSON.stringify({ v: 1, key: marker.key, target: marker.target, ...(sig === undefined ? {} : { sig }) });

export function renderInboxIssue(input: InboxIssueInput): { title: string; body: string } {
  const named = input.targetName === undefined ? "" : ` (${escapeInline(input.targetName, 100)})`;
  const marker = markerJson(input);
  // The `Patch:` line first: the key a person editing the body finds first is the patch's.
  const body = [
    `Patch: ${input.key}`,
    "",
    `This patch request arrived in the inbox of ${codeSpan(input.target)}${named} over IPFS pubsub, from the peer ${codeSpan(input.from, { max: 100 })}. Nobody on GitHub posted it: the rules judge it as a patch from an unknown author.`,
    "",
    `<!-- nomad-patch:inbox ${marker} -->`,
  ].join("\n");
  return { title: issueTitle(input.title), body };
}

/**
 * The key and target an inbox issue's body names, with the signature its marker carries if any, or
 * undefined when it has no well-formed marker. Whether the signature verifies is the signer's to say.
 */
export function parseInboxIssueMarker(
  body: string | null | undefined,
): (InboxIssueMarker & { readonly sig?: string }) | undefined {
  const match = MARKER.exec((body ?? "").slice(-2000));
  if (!match) return undefined;
  try {
    const parsed = JSON.parse(match[1] ?? "") as Record<string, unknown>;
    const { v, key, target, sig, ...rest } = parsed;
    if (v !== 1 || typeof key !== "string" || typeof target !== "string") return undefined;
    if (Object.keys(rest).length > 0 || (sig !== undefined && (typeof sig !== "string" || !SIG.test(sig))))
      return undefined;
    if (!BASE36_KEY.test(key) || !BASE36_KEY.test(target)) return undefined;
    return sig === undefined ? { key, target } : { key, target, sig };
  } catch {
    return undefined;
  }
}

/**
 * `body` (as `renderInboxIssue` wrote it) with `sig` as its marker's last field. Throws when the body has
 * not exactly one well-formed marker: a bug, not input.
 */
export function withInboxSignature(body: string, sig: string): string {
  if (!SIG.test(sig))
    throw new Error("nomad-patch: an inbox marker signature must be 43 base64url characters");
  const marker = parseInboxIssueMarker(body);
  if (!marker || (body.match(MARKER_LINE) ?? []).length !== 1)
    throw new Error("nomad-patch: an inbox issue to sign must carry exactly one inbox marker");
  return body.replace(MARKER_LINE, `<!-- nomad-patch:inbox ${markerJson(marker, sig)} -->`);
}

/** One line, control characters dropped, invisible ones written out, bounded: a title is a stranger's text. */
function issueTitle(title: string): string {
  const line = oneLine(title.slice(0, MAX_TITLE * 4)).trim();
  if (line === "") return "Patch request: (untitled)";
  return `Patch request: ${line.length > MAX_TITLE ? `${line.slice(0, MAX_TITLE)}…` : line}`;
}
