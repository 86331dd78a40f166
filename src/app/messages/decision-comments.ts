import type { PermissionLevel } from "../../policy/index.js";
import { codeSpan, escapeInline } from "../../render/escape.js";
import { statusComment, who } from "./status-comment.js";

type About = { readonly key: string | null; readonly cid: string | null };

export function deniedComment(
  about: About,
  user: string,
  action: string,
  required: PermissionLevel,
  actual: PermissionLevel | "unknown",
): string {
  const has =
    actual === "unknown"
      ? "the bot could not read their permission from GitHub, so it refuses (it fails closed)"
      : `they have ${codeSpan(actual)}`;
  return statusComment("denied", about, [
    `**🚫 Not done:** ${who(user)} may not ${action} patches here. It needs at least ${codeSpan(required)} permission on this repository; ${has}.`,
  ]);
}

export function rejectedComment(about: About, by: string, reasons: readonly string[]): string {
  const lines = reasons.slice(0, 20).map((reason) => `- ${escapeInline(reason, 500)}`);
  return statusComment("rejected", about, [
    `**⛔ Rejected** by ${by}.`,
    ...(lines.length ? ["", ...lines] : []),
  ]);
}

export function heldComment(about: About, user: string, label: string): string {
  return statusComment("held", about, [
    `**✋ On hold** (${who(user)}): nothing is applied, not even by a rule, until the label ${codeSpan(label)} is removed.`,
  ]);
}

export function voidedComment(about: About, reason: string): string {
  return statusComment("voided", about, [
    `**♻️ Approval void:** ${escapeInline(reason, 800)}`,
    "",
    "The review above now shows the current version; read it and approve again.",
  ]);
}

export function nothingToApproveComment(state: "failed" | "held", text: string): string {
  return statusComment(state, { key: null, cid: null }, [`**Nothing applied:** ${escapeInline(text, 800)}`]);
}

export function applyFailedComment(about: About, text: string): string {
  return statusComment("failed", about, [
    `**❌ Apply failed:** ${escapeInline(text, 1500)}`,
    "",
    "Nothing was half-applied: the apply journal completes or refuses the whole patch.",
  ]);
}
