import { type ConfigIssue, formatConfigIssue } from "../../policy/index.js";
import { codeSpan, escapeInline } from "../../render/escape.js";
import { CONFIG_PATH } from "../load-config.js";
import { statusComment } from "./status-comment.js";

/** The one comment an issue gets about a broken configuration; every problem with its line. */
export function configErrorComment(errors: readonly ConfigIssue[]): string {
  return statusComment("config-error", { key: null, cid: null }, [
    `**⚙️ ${codeSpan(CONFIG_PATH)} cannot be used**, so the bot takes no patches in this repository until it is fixed:`,
    "",
    ...errors.map((issue) => `- ${escapeInline(formatConfigIssue(issue), 600)}`),
    "",
    "<sub>After fixing it, comment `/refresh` here.</sub>",
  ]);
}
