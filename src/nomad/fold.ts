import type { IpldMap } from "./ipld.js";
import type { FoldContext, FoldResult, LoadedEntry, NomadModule, SeedInput } from "./modules/types.js";

/** Fold from the module's seed, as nomad-patch always does for determinism (docs/format.md). */
export function foldFromSeed(
  module: NomadModule,
  seed: SeedInput,
  entries: readonly LoadedEntry[],
  ctx: FoldContext,
): Promise<FoldResult> {
  return module.fold(module.seed(seed), entries, ctx);
}

/** Apply further entries (a patch's) on top of an already folded state, in the order given. */
export function foldOnTop(
  module: NomadModule,
  state: IpldMap,
  entries: readonly LoadedEntry[],
  ctx: FoldContext,
): Promise<FoldResult> {
  return module.fold(state, entries, ctx);
}
