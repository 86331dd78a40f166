/**
 * The change model: everything known about one patch request after review, in plain JSON
 * (strings, numbers, booleans, arrays, objects; CIDs as strings; states in DAG-JSON form).
 *
 * One model feeds every rendering (Markdown for GitHub, terminal text, JSON) and carries
 * what an approval binds to: the patch's resolved CID and the predicted result CID.
 * The JSON rendering *is* this object, so its shape is a public, documented contract
 * (docs/json-output.md): add fields freely, never rename or remove one without bumping
 * `schemaVersion`.
 */
export const CHANGE_MODEL_VERSION = 1;

/** What an entry would do when applied on top of the current state. */
export type EntryEffect =
  /** Changes the state. */
  | "changed"
  /** Applies cleanly but changes nothing (already so, or a delete of something absent). */
  | "no-effect"
  /** The module cannot predict it (unknown EventId, unmodelled sub-object, generic module). */
  | "unknown"
  /** Its content does not decode or breaks the module's guards: it would be skipped. */
  | "invalid"
  /** Refused by validation or policy: it will never be applied. */
  | "refused";

export interface Problem {
  /** Stable machine-readable code, e.g. `reserved-event-id`, `target-moved`, `content-unreachable`. */
  readonly code: string;
  /** A sentence a person can act on. */
  readonly message: string;
  /** The entry it concerns (0-based, authoring order), if any. */
  readonly entryIndex?: number;
}

export interface PatchInfo {
  /** The patch request key (its roaming IPNS name), always base36 `k51…`. */
  readonly key: string;
  /** The CID the key resolved to when reviewed: what an approval binds to. */
  readonly cid: string;
  readonly title: string;
  readonly description: string;
  /** The target roaming CID the author saw, or null. */
  readonly base: string | null;
  /** The contributor's local keys (a hint). */
  readonly sources: readonly string[];
}

export interface TargetInfo {
  /** The target's roaming key id (`k51…`). */
  readonly id: string;
  /** The module that folds it, e.g. `storage`, `wac-project`, `generic`. */
  readonly module: string;
  /** A display name, where the module has one. */
  readonly name?: string;
  /** What the roaming key currently points at, or null when it does not resolve. */
  readonly publishedCid: string | null;
  /** CID of the state folded from all sources (the "before"). */
  readonly foldedCid: string;
  /** False when the published roaming value differs from the fold: shown as a warning. */
  readonly publishedMatchesFold: boolean;
  /** True when this node holds the roaming key and a local key: it can apply. */
  readonly canApply: boolean;
  /** How many entries the sources hold, and how many sources were crawled. */
  readonly historyEntries: number;
  readonly sourceCount: number;
}

export interface EntryChange {
  /** 0-based position in the patch request's `Entries`. */
  readonly index: number;
  /** CID of the proposed EventStreamEntry block. */
  readonly cid: string;
  readonly eventId: string;
  readonly targetId: string;
  /** The timestamp the author wrote (apply writes a fresh one). */
  readonly timestampUtc: string | null;
  /** CID of the content block. */
  readonly contentCid: string | null;
  /** The decoded content in DAG-JSON form, for display; null when unreachable. */
  readonly content: unknown;
  readonly effect: EntryEffect;
  /** Why the effect is no-effect, unknown, invalid or refused. */
  readonly reason?: string;
}

/** One file or folder in a Storage target that the patch touches. */
export interface StorageItemChange {
  /** Path below the root folder, `/`-separated, e.g. `docs/readme.md`; folders end without a slash. */
  readonly path: string;
  readonly kind: "file" | "folder";
  readonly change: "added" | "removed" | "changed";
  /** File content CIDs (UnixFS) before and after; null when absent or empty. */
  readonly beforeContent?: string | null;
  readonly afterContent?: string | null;
  /** Unified diff of a small text file's content, when both sides could be fetched as text. */
  readonly textDiff?: string;
  /** Why there is no text diff (binary, too large, unreachable). */
  readonly textDiffNote?: string;
}

/** One field of a value module's state (WindowsAppCommunity, PeerSwarm). */
export interface FieldChange {
  /** Field path, e.g. `Name`, `Links[link-1]`, `Features[2]`. */
  readonly path: string;
  readonly change: "added" | "removed" | "changed";
  /** DAG-JSON form; absent on the side where the field does not exist. */
  readonly before?: unknown;
  readonly after?: unknown;
}

export type ModuleView =
  | { readonly kind: "storage"; readonly items: readonly StorageItemChange[] }
  | { readonly kind: "fields"; readonly fields: readonly FieldChange[] }
  /** Unknown module or EventIds: the entries are listed, the effect is not previewed. */
  | { readonly kind: "none"; readonly note: string };

export interface PatchReview {
  readonly schemaVersion: typeof CHANGE_MODEL_VERSION;
  /** When the review was made (ISO 8601). */
  readonly reviewedAt: string;
  readonly patch: PatchInfo;
  readonly target: TargetInfo;
  readonly entries: readonly EntryChange[];
  /** The state folded from the target's sources, DAG-JSON form. */
  readonly before: unknown;
  /** `before` with the proposed entries applied in order, DAG-JSON form. */
  readonly after: unknown;
  /**
   * CID (DAG-CBOR) of `after`: the roaming value an apply must produce. Null when it cannot
   * be predicted (unknown effects), in which case the patch cannot be applied automatically.
   */
  readonly predictedResultCid: string | null;
  readonly moduleView: ModuleView;
  /** Unified diff of the canonical pretty JSON of before and after. */
  readonly jsonDiff: string;
  readonly summary: {
    readonly entries: number;
    /** Distinct TargetIds touched. */
    readonly targetsTouched: number;
    readonly changed: number;
    readonly noEffect: number;
    readonly unknown: number;
    readonly invalid: number;
    readonly refused: number;
  };
  readonly warnings: readonly Problem[];
  /** Non-empty means the patch can never be applied as it is. */
  readonly refusals: readonly Problem[];
}

/** True when nothing refuses the patch and its result is predictable: an approval can apply it. */
export function isApplicable(review: PatchReview): boolean {
  return review.refusals.length === 0 && review.predictedResultCid !== null;
}
