import type { StorageItemChange } from "../patch-request/change-model.js";
import { codeSpan, escapeInline } from "./escape.js";
import { fileFacts } from "./file-facts.js";
import { EMPTY_SECTION, fitLines, type Section } from "./fit-lines.js";
import { DEFAULT_GATEWAY_URL } from "./markdown-options.js";
import { formatNumber } from "./words.js";

const HEADING = "#### Files without a text diff\n\n";

/**
 * Every changed file that has no text diff (binary, too large, unreachable): why, its type, its size
 * before → after, its content CID before → after, and links to open each side through an IPFS gateway,
 * since a reviewer cannot judge an image by its CID.
 */
export function renderOtherFilesSection(
  items: readonly StorageItemChange[],
  budget: number,
  gatewayUrl = DEFAULT_GATEWAY_URL,
): Section {
  const files = items.filter((item) => item.kind === "file" && item.textDiff === undefined);
  if (files.length === 0) return EMPTY_SECTION;
  const lines = files.map((file) => otherFileLine(file, gatewayUrl));
  const { kept, omitted } = fitLines(
    lines,
    budget,
    HEADING.length,
    (n) => `- _…${formatNumber(n)} more files_`,
  );
  if (omitted === lines.length) return { ...EMPTY_SECTION, cut: "the list of files without a text diff" };
  const text = HEADING + kept.join("\n");
  return omitted > 0
    ? { text, cut: `${formatNumber(omitted)} of ${formatNumber(lines.length)} files without a text diff` }
    : { text };
}

function otherFileLine(file: StorageItemChange, gatewayUrl: string): string {
  const facts = fileFacts(file);
  const view = (label: string, cid: string | null | undefined) =>
    cid ? [`[${label}](${gatewayUrl.replace(/\/+$/, "")}/ipfs/${cid})`] : [];
  const links = [...view("view before", file.beforeContent), ...view("view after", file.afterContent)];
  const cids = cidChange(file);
  return [
    `- ${codeSpan(file.path, { max: 200 })} ${file.change}${facts === "" ? "" : `: ${escapeInline(facts, 200)}`}`,
    cids,
    links.join(" · "),
  ]
    .filter((part) => part !== "")
    .join(" · ");
}

function cidChange(file: StorageItemChange): string {
  if (!file.beforeContent && !file.afterContent) return "";
  const cid = (value: string | null | undefined) => (value ? codeSpan(value, { max: 100 }) : "_none_");
  if (file.change === "added") return `CID ${cid(file.afterContent)}`;
  if (file.change === "removed") return `CID ${cid(file.beforeContent)}`;
  return `CID ${cid(file.beforeContent)} → ${cid(file.afterContent)}`;
}
