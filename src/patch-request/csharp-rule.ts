import type { LoadedEntry } from "../nomad/modules/types.js";
import type { ProposedEntry } from "./proposed-entry.js";

/** What the C# compatibility check reads; the rules are in csharp-storage-rules.ts and csharp-wac-rules.ts. */
export interface CompatibilityInput {
  /** The target's module name (`storage`, `wac-project`, …). */
  readonly module: string;
  readonly entries: readonly ProposedEntry[];
  /**
   * What became of each object id the entries name (see `referencedObjects`): `null` when it loads,
   * else why not. Ids missing from the map were not checked and count as not loading.
   */
  readonly references: ReadonlyMap<string, string | null>;
}

export interface Finding {
  readonly code: string;
  /** What the C# replay does with the entry, naming the C# class and method that throw. */
  readonly why: string;
}

export type CompatibilityRule = (entry: LoadedEntry, input: CompatibilityInput) => Finding | undefined;
