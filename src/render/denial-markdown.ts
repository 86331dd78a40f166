import { codeSpan, escapeInline } from "./escape.js";
import { isMarkerKey, writeMarker } from "./marker.js";

export interface DenialInput {
  /** The GitHub login that tried; named in bold, never mentioned (no ping). */
  readonly user: string;
  /** The permission required, e.g. `write`. */
  readonly needed: string;
  /** What GitHub says they have (`read`, `triage`, `none`, or `unknown` when the check failed). */
  readonly actual: string;
  readonly via: "label" | "command";
  readonly key?: string;
}

/** An approval by someone without the permission to approve. Fails closed, says what is needed. */
export function renderDenialMarkdown(input: DenialInput): string {
  const key = input.key !== undefined && isMarkerKey(input.key) ? input.key : null;
  const marker = writeMarker({ kind: "status", v: 1, state: "denied", key, cid: null });
  const how = input.via === "label" ? "The approval label" : "The approval command";
  const actual =
    input.actual === "unknown"
      ? "their permission could not be checked, so the bot refuses to be safe"
      : `they have ${codeSpan(input.actual)}`;
  return [
    marker,
    `🔒 ${how} from **${escapeInline(input.user, 60)}** was not accepted: approving needs ${codeSpan(input.needed)} access to this repository, and ${actual}.`,
    "Nothing was applied. Someone with that access can approve instead.",
  ].join("\n\n");
}
