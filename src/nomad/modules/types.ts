import type { CID } from "multiformats/cid";
import type { FoldBudget } from "../fold-budget.js";
import type { IpldMap, IpldValue } from "../ipld.js";
import type { IpnsName } from "../ipns-name.js";
import type { EventStreamEntry } from "../records/event-stream-entry.js";

/** An entry with everything a reducer needs already fetched: reducers never do I/O. */
export interface LoadedEntry {
  /** CID of the EventStreamEntry block. */
  readonly cid: CID;
  readonly entry: EventStreamEntry;
  /** The local stream it came from; absent for entries proposed in a patch request. */
  readonly source?: IpnsName;
  /** The decoded content block. */
  readonly content: IpldValue;
  /** Further blocks the module asked for (ValueUpdateEvent Key/Value), by CID string. */
  readonly linked: ReadonlyMap<string, IpldValue>;
}

/** What folding needs besides the entries: the object's id and the handler's sources (storage copies them). */
export interface FoldContext {
  readonly rootId: IpnsName;
  readonly sources: readonly IpnsName[];
  /** The work this fold may do; absent: a fresh budget with the default limits. Every fold has one. */
  readonly budget?: FoldBudget;
}

/** `unknown`: the module cannot predict the effect (unmodelled EventId or sub-object). `invalid`: bad content. */
export type EntryEffect = "changed" | "no-effect" | "unknown" | "invalid";

export interface FoldStep {
  readonly entry: LoadedEntry;
  readonly effect: EntryEffect;
  /** Why an entry had no effect, an unknown one, or was invalid. */
  readonly reason?: string;
}

export interface FoldResult {
  readonly state: IpldMap;
  /** One step per application, in application order (an entry may appear more than once, or not at all). */
  readonly steps: FoldStep[];
}

/** A reducer: pure and synchronous. Returns the state unchanged (same reference is fine) when nothing applies. */
export type Reducer = (state: IpldMap, entry: LoadedEntry, ctx: FoldContext) => IpldMap;

export interface SeedInput {
  /** The roaming key id, the object's identity. */
  readonly id: IpnsName;
  /** The roaming value's own `Sources` (the creator's local key for a new object). */
  readonly sources: readonly IpnsName[];
  /** A display name where the module has one (the storage folder name). */
  readonly name?: string;
}

/**
 * A Nomad module: how one kind of object starts, which EventIds change it and how. Adding a module is one
 * file exporting one of these, plus one line in `registry.ts`.
 */
export interface NomadModule {
  readonly name: string;
  /** Key names follow `{keyPrefix}.Local.{name}` / `{keyPrefix}.Roaming.{name}`. */
  readonly keyPrefix: string;
  /** Does a roaming value have this module's shape? Used when configuration does not name the module. */
  recognise(value: IpldValue): boolean;
  seed(input: SeedInput): IpldMap;
  /** The label a new local EventStream gets. */
  streamLabel(name: string): string;
  /** Which further blocks an entry's reducer will read (beyond the content block). */
  linksToLoad(entry: EventStreamEntry, content: IpldValue): CID[];
  /**
   * Fold entries (already ordered) onto a state: the seed, or an already folded state. Asynchronous only
   * to yield to the event loop between slices of work; it stops with FoldBudgetExceededError at the budget.
   */
  fold(state: IpldMap, entries: readonly LoadedEntry[], ctx: FoldContext): Promise<FoldResult>;
  /** True when the module predicts effects; the generic module does not. */
  readonly predictsEffects: boolean;
}
