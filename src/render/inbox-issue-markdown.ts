import { codeSpan, escapeInline, oneLine } from "./escape.js";

/**
 * The issue the app opens for a patch request that arrived in a target's inbox (docs/design.md §8): a
 * title from the patch's own, and a body a person could have written, with its `Patch:` line, saying
 * that nobody on GitHub posted it. The last line is a hidden marker naming the key and the target, by
 * which the app counts its open inbox issues and finds the issue of a key again after a restart.
 *
 *   <!-- nomad-patch:inbox {"v":1,"key":"k51…","target":"k51…"} -->
 *
 * The marker is only believed on issues the bot itself opened: anyone can write one in their own issue.
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

/** GitHub caps an issue title at 256 characters. */
const MAX_TITLE = 120;
const MARKER = /^<!-- nomad-patch:inbox (\{[^\n]{1,400}\}) -->$/m;
const BASE36_KEY = /^k[0-9a-z]{40,100}$/;

export function renderInboxIssue(input: InboxIssueInput): { title: string; body: string } {
  const named = input.targetName === undefined ? "" : ` (${escapeInline(input.targetName, 100)})`;
  const marker = JSON.stringify({ v: 1, key: input.key, target: input.target });
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

/** The key and target an inbox issue's body names, or undefined when it has no well-formed marker. */
export function parseInboxIssueMarker(
  body: string | null | undefined,
): { readonly key: string; readonly target: string } | undefined {
  const match = MARKER.exec((body ?? "").slice(-2000));
  if (!match) return undefined;
  try {
    const parsed = JSON.parse(match[1] ?? "") as { v?: unknown; key?: unknown; target?: unknown };
    if (parsed.v !== 1 || typeof parsed.key !== "string" || typeof parsed.target !== "string")
      return undefined;
    if (!BASE36_KEY.test(parsed.key) || !BASE36_KEY.test(parsed.target)) return undefined;
    return { key: parsed.key, target: parsed.target };
  } catch {
    return undefined;
  }
}

/** One line, control characters dropped, invisible ones written out, bounded: a title is a stranger's text. */
function issueTitle(title: string): string {
  const line = oneLine(title.slice(0, MAX_TITLE * 4)).trim();
  if (line === "") return "Patch request: (untitled)";
  return `Patch request: ${line.length > MAX_TITLE ? `${line.slice(0, MAX_TITLE)}…` : line}`;
}
