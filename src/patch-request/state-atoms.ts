import { CID } from "multiformats/cid";
import { canonicalJson } from "../nomad/canonical-json.js";
import { type IpldValue, isIpldMap } from "../nomad/ipld.js";
import type { FolderData } from "../nomad/modules/storage.js";
import { jsonOf } from "./field-view.js";

/**
 * The smallest part of a target's state that one event replaces whole: a file's content, a folder's
 * existence, a field's value, one item of a keyed list, one value of a plain list. Two states are
 * compared, and three merged, atom by atom: that is what makes "changed on both sides" precise.
 */
export interface StateAtom {
  /** A Storage path (`docs/a.md`) or a field path (`Name`, `Links[link-1]`, `Features[beta]`). */
  readonly path: string;
  /** Storage only. */
  readonly kind?: "file" | "folder";
  /** DAG-JSON form: a file's content CID (null when empty), `true` for a folder or a plain list value, a field's value. */
  readonly value: unknown;
}

/** Atoms by a key unique within one state (a Storage file and folder may share a name). */
export type StateAtoms = ReadonlyMap<string, StateAtom>;

/** The ids that key a list of records: WindowsAppCommunity links/images/connections by `Id`, roles by member id. */
const ID_FIELDS = ["Id", "UserId", "ProjectId", "PublisherId"] as const;

/** A state's atoms; `null` (nothing there, as a patch without a base saw it) has none. */
export function stateAtoms(module: string, state: IpldValue | null): StateAtoms {
  const atoms = new Map<string, StateAtom>();
  if (state === null || !isIpldMap(state)) return atoms;
  if (module === "storage") walkFolder(state as unknown as FolderData, "", atoms);
  else fieldAtoms(state, atoms);
  return atoms;
}

/** Same atom value on both sides (both absent counts as the same). */
export function sameAtom(a: StateAtom | undefined, b: StateAtom | undefined): boolean {
  if (!a || !b) return a === b;
  return canonicalJson(a.value) === canonicalJson(b.value);
}

/** The keys of atoms that differ between two states. */
export function changedAtomKeys(from: StateAtoms, to: StateAtoms): string[] {
  return [...new Set([...from.keys(), ...to.keys()])].filter((key) => !sameAtom(from.get(key), to.get(key)));
}

function walkFolder(folder: FolderData, prefix: string, out: Map<string, StateAtom>): void {
  const seen = new Set<string>();
  // The first item of each name wins, as the fold's own lookups do (storage-view.ts does the same).
  for (const file of Array.isArray(folder.Files) ? folder.Files : []) {
    if (seen.has(`f${file.StorableItemName}`)) continue;
    seen.add(`f${file.StorableItemName}`);
    const path = prefix + file.StorableItemName;
    out.set(`file:${path}`, { path, kind: "file", value: CID.asCID(file.ContentId)?.toString() ?? null });
  }
  for (const sub of Array.isArray(folder.Folders) ? folder.Folders : []) {
    if (seen.has(`d${sub.StorableItemName}`)) continue;
    seen.add(`d${sub.StorableItemName}`);
    const path = prefix + sub.StorableItemName;
    out.set(`folder:${path}`, { path, kind: "folder", value: true });
    walkFolder(sub, `${path}/`, out);
  }
}

function fieldAtoms(state: Readonly<Record<string, IpldValue>>, out: Map<string, StateAtom>): void {
  for (const [field, value] of Object.entries(state)) {
    const idField = Array.isArray(value) ? listKey(value) : undefined;
    if (Array.isArray(value) && idField) {
      for (const item of value) {
        const id = (item as Record<string, string>)[idField] as string;
        const path = `${field}[${id}]`;
        if (!out.has(path)) out.set(path, { path, value: jsonOf(item) });
      }
    } else if (Array.isArray(value) && value.every(isScalar)) {
      for (const item of value) {
        const path = `${field}[${String(item)}]`;
        out.set(path, { path, value: true });
      }
    } else out.set(field, { path: field, value: jsonOf(value) });
  }
}

/** The id field every item of a non-empty list of records carries, if any. */
function listKey(list: readonly IpldValue[]): string | undefined {
  if (list.length === 0) return ID_FIELDS[0];
  return ID_FIELDS.find((id) => list.every((item) => isIpldMap(item) && typeof item[id] === "string"));
}

function isScalar(value: IpldValue): boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}
