import { canonicalJson } from "../nomad/canonical-json.js";
import { type IpldValue, ipldEqual, isIpldMap } from "../nomad/ipld.js";
import type { FieldChange } from "./change-model.js";

/**
 * Field-level changes of a value module's state (WindowsAppCommunity, PeerSwarm): top-level
 * fields by name; lists of records that carry an `Id` (links, images, roles) item by item.
 */
export function diffFields(before: IpldValue, after: IpldValue): FieldChange[] {
  const b = isIpldMap(before) ? before : {};
  const a = isIpldMap(after) ? after : {};
  const changes: FieldChange[] = [];
  for (const key of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()) {
    const inBefore = Object.hasOwn(b, key);
    const inAfter = Object.hasOwn(a, key);
    const bv = b[key];
    const av = a[key];
    if (inBefore && inAfter && ipldEqual(bv, av)) continue;
    if (isIdList(bv) && isIdList(av)) {
      changes.push(...diffIdList(key, bv, av));
    } else if (!inBefore) {
      changes.push({ path: key, change: "added", after: jsonOf(av) });
    } else if (!inAfter) {
      changes.push({ path: key, change: "removed", before: jsonOf(bv) });
    } else {
      changes.push({ path: key, change: "changed", before: jsonOf(bv), after: jsonOf(av) });
    }
  }
  return changes;
}

type IdRecord = { readonly Id: string } & Readonly<Record<string, IpldValue>>;

function isIdList(value: IpldValue | undefined): value is readonly IdRecord[] {
  return Array.isArray(value) && value.every((item) => isIpldMap(item) && typeof item.Id === "string");
}

function diffIdList(key: string, before: readonly IdRecord[], after: readonly IdRecord[]): FieldChange[] {
  const b = new Map(before.map((item) => [item.Id, item]));
  const a = new Map(after.map((item) => [item.Id, item]));
  const changes: FieldChange[] = [];
  for (const id of [...new Set([...b.keys(), ...a.keys()])]) {
    const path = `${key}[${id}]`;
    const bv = b.get(id);
    const av = a.get(id);
    if (!bv && av) changes.push({ path, change: "added", after: jsonOf(av) });
    else if (bv && !av) changes.push({ path, change: "removed", before: jsonOf(bv) });
    else if (bv && av && !ipldEqual(bv, av))
      changes.push({ path, change: "changed", before: jsonOf(bv), after: jsonOf(av) });
  }
  return changes;
}

/** DAG-JSON form (links as `{"/": cid}`), plain enough for any renderer. */
export function jsonOf(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(canonicalJson(value));
}
