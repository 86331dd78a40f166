import { type IpldMap, ipldEqual } from "../nomad/ipld.js";
import type { PublishDrift, PublishDriftChange } from "./change-model.js";
import { diffFields } from "./field-view.js";
import { diffStorageTrees } from "./storage-view.js";

export interface PublishDriftInput {
  /** The module's name: Storage is compared file by file, value modules field by field. */
  readonly module: string;
  /** What the roaming key points at now. */
  readonly published: { readonly cid: string; readonly value: IpldMap } | undefined;
  /** The fold of every known source, without the patch (the review's "before"). */
  readonly before: IpldMap;
  /** `before` with the patch folded in (the value an apply would publish). */
  readonly after: IpldMap;
  /** The operator accepts a publish that changes more than the patch (per-target setting). */
  readonly allowed: boolean;
}

const WHOLE_VALUE = "(the whole value)";

/**
 * What publishing `after` would change in the published roaming value beyond the patch's own effects:
 * the changes from the published value to the fold without the patch, minus every path the patch itself
 * changes (or a path inside one, such as a file in a folder the patch deletes). `undefined` when the
 * publish changes nothing but what the patch does. A difference no view can name (a field the views do
 * not list) still counts, as one change of the whole value, so nothing drifts unseen.
 */
export function publishDrift(input: PublishDriftInput): PublishDrift | undefined {
  const { published } = input;
  if (!published || ipldEqual(published.value, input.before)) return undefined;
  const own = changedPaths(input.module, input.before, input.after);
  const all = changesBetween(input.module, published.value, input.before);
  const beyond = all.filter((change) => !own.some((path) => covers(path, change.path)));
  if (all.length === 0) beyond.push({ path: WHOLE_VALUE, change: "changed" });
  if (beyond.length === 0) return undefined;
  return { publishedCid: published.cid, changes: beyond, allowed: input.allowed };
}

function changesBetween(module: string, from: IpldMap, to: IpldMap): PublishDriftChange[] {
  if (module === "storage") {
    return diffStorageTrees(from, to).map(({ path, kind, change }) => ({ path, kind, change }));
  }
  return diffFields(from, to).map(({ path, change, before, after }) => ({ path, change, before, after }));
}

function changedPaths(module: string, from: IpldMap, to: IpldMap): string[] {
  return changesBetween(module, from, to).map((change) => change.path);
}

/** A path the patch changes covers itself and everything under it (`docs` covers `docs/a.md`, `Links[x]`). */
function covers(own: string, path: string): boolean {
  return path === own || path.startsWith(`${own}/`) || path.startsWith(`${own}[`);
}
