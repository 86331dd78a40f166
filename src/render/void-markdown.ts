import { codeSpan } from "./escape.js";
import { isMarkerKey, writeMarker } from "./marker.js";

/** What a comment of the bot's whose signature did not verify claimed to be about. */
export interface VoidInput {
  /** The patch key its marker names, when it still reads as one; it is reviewed again. */
  readonly key: string | undefined;
}

/**
 * What a comment of the bot's is rewritten to when its signature does not verify: the text someone else
 * put there, or a version of the bot that did not sign, must not stand on the issue as the bot's review.
 * It names the key, which the bot reviews again in a new comment; nothing binds to it.
 */
export function renderVoidMarkdown(input: VoidInput): string {
  const key = input.key !== undefined && isMarkerKey(input.key) ? input.key : undefined;
  const marker = writeMarker({ kind: "status", v: 1, state: "void", key: key ?? null, cid: null });
  return [
    marker,
    "🚫 **Void:** this comment no longer carries nomad-patch's signature. Someone other than the bot edited it (anyone with write access can edit the bot's comments; GitHub's edit history shows who), or it was written by an earlier version of nomad-patch, before its comments were signed, or under an earlier private key of the app. What it said is not what the bot reviewed: nothing can be approved or applied from it.",
    key === undefined
      ? "Nothing here is reviewed again."
      : `Patch ${codeSpan(key)} is reviewed again: see the newest review comment on this issue.`,
  ].join("\n\n");
}
