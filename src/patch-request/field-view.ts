import { canonicalJson } from "../nomad/canonical-json.js";
import { type IpldValue, ipldEqual, isIpldMap } from "../nomad/ipld.js";
import type { FieldChange } from "./change-model.js";

/**
 * Field-level changes of a value module's state (WindowsAppCommunity, PeerSwarm): top-level
 * fields by name; lists of records that carry an `Id` (links, images, roles) item by item; lists of
 * plain values (features) item by item too, named by the value (`Features[beta]`), so a reviewer reads
 * what was added or removed instead of comparing two whole lists.
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
    } else if (isScalarList(bv) && isScalarList(av) && !sameItems(bv, av)) {
      changes.push(...diffScalarList(key, bv, av));
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

type Scalar = string | number | boolean | null;

function isScalarList(value: IpldValue | undefined): value is readonly Scalar[] {
  return Array.isArray(value) && value.every((item) => item === null || typeof item !== "object");
}

/** The same items, counted, in any order: then only the order changed, and the whole list is shown. */
function sameItems(before: readonly Scalar[], after: readonly Scalar[]): boolean {
  return before.length === after.length && without(before, after).length === 0;
}

/** `from` minus `other`, as multisets (a value twice in `from` and once in `other` leaves one); linear. */
function without(from: readonly Scalar[], other: readonly Scalar[]): Scalar[] {
  const left = new Map<string, number>();
  for (const item of other) left.set(JSON.stringify(item), (left.get(JSON.stringify(item)) ?? 0) + 1);
  return from.filter((item) => {
    const key = JSON.stringify(item);
    const count = left.get(key) ?? 0;
    if (count === 0) return true;
    left.set(key, count - 1);
    return false;
  });
}

function diffScalarList(key: string, before: readonly Scalar[], after: readonly Scalar[]): FieldChange[] {
  return [
    ...without(before, after).map(
      (item): FieldChange => ({ path: `${key}[${item}]`, change: "removed", before: item }),
    ),
    ...without(after, before).map(
      (item): FieldChange => ({ path: `${key}[${item}]`, change: "added", after: item }),
    ),
  ];
}

/** DAG-JSON form (links as `{"/": cid}`), plain enough for any renderer. */
export function jsonOf(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(canonicalJson(value));
}
