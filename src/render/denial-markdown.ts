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
  /** What they tried; default `approve`. Rejecting and holding need the same permission. */
  readonly action?: "approve" | "reject" | "hold";
  readonly key?: string;
}

const ATTEMPT = {
  approve: { command: "The approval command", needs: "approving", verb: "approve" },
  reject: { command: "The reject command", needs: "rejecting", verb: "reject it" },
  hold: { command: "The hold command", needs: "holding a patch", verb: "hold it" },
} as const;

/** A decision by someone without the permission to make it. Fails closed, says what is needed. */
export function renderDenialMarkdown(input: DenialInput): string {
  const key = input.key !== undefined && isMarkerKey(input.key) ? input.key : null;
  const marker = writeMarker({ kind: "status", v: 1, state: "denied", key, cid: null });
  const attempt = ATTEMPT[input.action ?? "approve"];
  const how = input.via === "label" ? "The approval label" : attempt.command;
  const actual =
    input.actual === "unknown"
      ? "their permission could not be checked, so the bot refuses to be safe"
      : `they have ${codeSpan(input.actual)}`;
  return [
    marker,
    `🔒 ${how} from **${escapeInline(input.user, 60)}** was not accepted: ${attempt.needs} needs ${codeSpan(input.needed)} access to this repository, and ${actual}.`,
    `Nothing was applied. Someone with that access can ${attempt.verb} instead.`,
  ].join("\n\n");
}
