import { base64 } from "multiformats/bases/base64";
import { CID } from "multiformats/cid";
import { InternalError } from "../errors.js";

/**
 * A state as stable, pretty JSON for diffs and display: keys sorted, links as `{"/": "<cid>"}` and bytes
 * as `{"/": {"bytes": "<base64>"}}` (DAG-JSON's conventions), two-space indentation.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(toJsonable(value, "$"), null, 2);
}

function toJsonable(value: unknown, path: string): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new InternalError(`Cannot show ${value} as JSON at ${path}`);
    return value;
  }
  const link = CID.asCID(value);
  if (link) return { "/": link.toString() };
  if (value instanceof Uint8Array) return { "/": { bytes: base64.baseEncode(value) } };
  if (Array.isArray(value)) return value.map((item, i) => toJsonable(item, `${path}[${i}]`));
  if (typeof value === "object") {
    const map = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(map).sort()) sorted[key] = toJsonable(map[key], `${path}.${key}`);
    return sorted;
  }
  throw new InternalError(`Cannot show ${typeof value} as JSON at ${path}`);
}
