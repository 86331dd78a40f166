import type { KuboNode } from "../../test/helpers/kubo.js";
import { writeProjectHistory } from "./write-history.js";
import { type WrittenPatch, writePatch } from "./write-patch.js";

/** One review case for the single-case tools: a history on the operator, a patch on the contributor. */
export async function writeOneCase(
  pair: { readonly operator: KuboNode; readonly contributor: KuboNode },
  name: string,
  sizes: { readonly history: number; readonly patch: number },
): Promise<WrittenPatch> {
  const target = await writeProjectHistory(pair.operator.store, { name, entries: sizes.history });
  return writePatch(pair.contributor.store, {
    name,
    target: target.id,
    base: target.roamingCid,
    entries: sizes.patch,
  });
}
