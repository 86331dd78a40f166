import { diffArrays } from "diff";
import { canonicalJson } from "../nomad/canonical-json.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Op = " " | "-" | "+";
interface Line {
  readonly op: Op;
  readonly text: string;
}

const CONTEXT = 3;

/**
 * The unified diff of the canonical pretty JSON of two states, aligned by structure rather than by line:
 * objects key by key, and lists of identified things item by item by their id (a Storage file's
 * `StorableItemId`, a link's `Id`, a role pair's member and role), so adding one file and removing another
 * reads as one added and one removed, never as a rename of each into the next. Lists of plain values
 * (`Features`, `Sources`) match equal items. Its `-` and context lines are exactly the before text and its
 * `+` and context lines the after text, so it is a valid patch of one into the other.
 */
export function structuredJsonDiff(before: unknown, after: unknown): string {
  const b = JSON.parse(canonicalJson(before)) as Json;
  const a = JSON.parse(canonicalJson(after)) as Json;
  const lines: Line[] = [];
  diffValue(b, a, { pad: "", prefix: "", bComma: false, aComma: false }, lines);
  return hunks(lines);
}

interface Place {
  /** Indentation of the value's first line. */
  readonly pad: string;
  /** `"Key": ` inside an object, empty in a list or at the top. */
  readonly prefix: string;
  /** Whether the value is followed by a comma on each side. */
  readonly bComma: boolean;
  readonly aComma: boolean;
}

function diffValue(b: Json, a: Json, at: Place, out: Line[]): void {
  if (isMap(b) && isMap(a) && Object.keys(b).length > 0 && Object.keys(a).length > 0) {
    out.push({ op: " ", text: `${at.pad}${at.prefix}{` });
    diffMaps(b, a, `${at.pad}  `, out);
    close("}", at, out);
  } else if (Array.isArray(b) && Array.isArray(a) && b.length > 0 && a.length > 0) {
    out.push({ op: " ", text: `${at.pad}${at.prefix}[` });
    diffLists(b, a, `${at.pad}  `, out);
    close("]", at, out);
  } else if (canonical(b) === canonical(a)) {
    const bLines = render(b, at.pad, at.prefix, at.bComma);
    const aLines = render(a, at.pad, at.prefix, at.aComma);
    bLines.forEach((text, i) => {
      if (text === aLines[i]) out.push({ op: " ", text });
      else out.push({ op: "-", text }, { op: "+", text: aLines[i] ?? "" });
    });
  } else {
    for (const text of render(b, at.pad, at.prefix, at.bComma)) out.push({ op: "-", text });
    for (const text of render(a, at.pad, at.prefix, at.aComma)) out.push({ op: "+", text });
  }
}

function close(bracket: string, at: Place, out: Line[]): void {
  const text = (comma: boolean) => `${at.pad}${bracket}${comma ? "," : ""}`;
  if (at.bComma === at.aComma) out.push({ op: " ", text: text(at.bComma) });
  else out.push({ op: "-", text: text(at.bComma) }, { op: "+", text: text(at.aComma) });
}

/** Keys in canonical (sorted) order, each side's commas as that side writes them. */
function diffMaps(b: Record<string, Json>, a: Record<string, Json>, pad: string, out: Line[]): void {
  const bKeys = Object.keys(b);
  const aKeys = Object.keys(a);
  const lastB = bKeys[bKeys.length - 1];
  const lastA = aKeys[aKeys.length - 1];
  for (const key of [...new Set([...bKeys, ...aKeys])].sort()) {
    const prefix = `${JSON.stringify(key)}: `;
    const inB = Object.hasOwn(b, key);
    const inA = Object.hasOwn(a, key);
    const bComma = key !== lastB;
    const aComma = key !== lastA;
    if (inB && inA) diffValue(b[key] as Json, a[key] as Json, { pad, prefix, bComma, aComma }, out);
    else if (inB) for (const text of render(b[key] as Json, pad, prefix, bComma)) out.push({ op: "-", text });
    else for (const text of render(a[key] as Json, pad, prefix, aComma)) out.push({ op: "+", text });
  }
}

/** Items matched by identity (their id, or their whole value), in order; the rest removed or added. */
function diffLists(b: Json[], a: Json[], pad: string, out: Line[]): void {
  const identify = identities(b, a);
  let bi = 0;
  let ai = 0;
  const place = (bIndex: number, aIndex: number): Place => ({
    pad,
    prefix: "",
    bComma: bIndex < b.length - 1,
    aComma: aIndex < a.length - 1,
  });
  for (const part of diffArrays(b.map(identify), a.map(identify))) {
    for (let n = 0; n < (part.count ?? part.value.length); n += 1) {
      if (part.removed) {
        for (const text of render(b[bi] as Json, pad, "", bi < b.length - 1)) out.push({ op: "-", text });
        bi += 1;
      } else if (part.added) {
        for (const text of render(a[ai] as Json, pad, "", ai < a.length - 1)) out.push({ op: "+", text });
        ai += 1;
      } else {
        diffValue(b[bi] as Json, a[ai] as Json, place(bi, ai), out);
        bi += 1;
        ai += 1;
      }
    }
  }
}

/**
 * How list items are told apart: by id when every item on both sides has one and no side repeats it
 * (OwlCore.Nomad.Storage `StorableItemId`; WindowsAppCommunity.Sdk `Link.Id`, `Image.Id`, `Connection.Id`
 * and role pairs `{UserId|ProjectId|PublisherId, Role}`), else by the whole value.
 */
function identities(b: readonly Json[], a: readonly Json[]): (item: Json) => string {
  const byId = (list: readonly Json[]) => {
    const ids = list.map(idOf);
    return ids.every((id) => id !== undefined) && new Set(ids).size === ids.length;
  };
  if (byId(b) && byId(a)) return (item) => `id:${idOf(item)}`;
  return (item) => `value:${canonical(item)}`;
}

const ROLE_HOLDERS = ["UserId", "ProjectId", "PublisherId"] as const;

function idOf(item: Json): string | undefined {
  if (!isMap(item)) return undefined;
  if (typeof item.StorableItemId === "string") return item.StorableItemId;
  if (typeof item.Id === "string") return item.Id;
  const holder = ROLE_HOLDERS.find((key) => typeof item[key] === "string");
  return holder ? `${item[holder] as string} ${canonical(item.Role ?? null)}` : undefined;
}

function isMap(value: Json): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function canonical(value: Json): string {
  return JSON.stringify(value);
}

/** A value's lines as `JSON.stringify(…, null, 2)` writes them at this place in its parent. */
function render(value: Json, pad: string, prefix: string, comma: boolean): string[] {
  const lines = JSON.stringify(value, null, 2).split("\n");
  const last = lines.length - 1;
  return lines.map((line, i) => `${i === 0 ? pad + prefix : pad}${line}${i === last && comma ? "," : ""}`);
}

/** Unified-diff hunks with three lines of context, under `--- before.json` / `+++ after.json`. */
function hunks(lines: readonly Line[]): string {
  const changed = lines.flatMap((line, i) => (line.op === " " ? [] : [i]));
  if (changed.length === 0) return "";
  // Line numbers on each side before line i: a hunk header reads them without a rescan.
  const bBefore = [0];
  const aBefore = [0];
  for (const line of lines) {
    bBefore.push((bBefore[bBefore.length - 1] as number) + (line.op === "+" ? 0 : 1));
    aBefore.push((aBefore[aBefore.length - 1] as number) + (line.op === "-" ? 0 : 1));
  }
  const side = (counts: readonly number[], from: number, to: number) => {
    const first = (counts[from] as number) + 1;
    const length = (counts[to + 1] as number) - (counts[from] as number);
    if (length === 1) return `${first}`;
    return `${length === 0 ? first - 1 : first},${length}`;
  };
  const out = ["--- before.json", "+++ after.json"];
  let start = 0;
  while (start < changed.length) {
    let end = start;
    while (end + 1 < changed.length && (changed[end + 1] as number) - (changed[end] as number) <= 2 * CONTEXT)
      end += 1;
    const from = Math.max(0, (changed[start] as number) - CONTEXT);
    const to = Math.min(lines.length - 1, (changed[end] as number) + CONTEXT);
    out.push(
      `@@ -${side(bBefore, from, to)} +${side(aBefore, from, to)} @@`,
      ...lines.slice(from, to + 1).map((l) => `${l.op}${l.text}`),
    );
    start = end + 1;
  }
  return out.join("\n");
}
