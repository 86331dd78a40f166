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

/** What a change does to one item (a file, a folder, a field, a list item). */
export type ItemChange = "added" | "removed" | "changed";

/** Counts by what the changes do: how a person says what a patch does. */
export interface ChangeCounts {
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
}

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
  /**
   * The known sources (devices' local keys) whose event stream could not be read: the fold misses their
   * changes, so no apply publishes until they are back. Always set by the review; optional for readers.
   */
  readonly unreachableSources?: readonly UnreachableSource[];
  /**
   * Entries of the target's history that every C# device throws on (a warning names them). Always set
   * by the review; optional for readers.
   */
  readonly rejectedHistory?: RejectedHistory;
}

/** History entries the C# replay throws on: how many, and the first ten in fold order. */
export interface RejectedHistory {
  readonly count: number;
  /** How many of them the fold here leaves out (an apply's roaming value would lack their changes). */
  readonly skipped: number;
  readonly entries: readonly RejectedHistoryEntry[];
}

export interface RejectedHistoryEntry {
  /** CID of the EventStreamEntry block. */
  readonly cid: string;
  readonly targetId: string;
  readonly eventId: string;
  /** Why C# throws on it (naming the C# code), or why its replay fails here. */
  readonly reason: string;
  /** True when the fold here leaves it out too; false when it applies it (a C# guard it does not share). */
  readonly skipped: boolean;
}

export interface UnreachableSource {
  /** The device's local key (`k51…`). */
  readonly id: string;
  /** How the bot knows it: e.g. `the roaming value's Sources`, `configured`, `paired`, `added by k51…`. */
  readonly via: string;
}

/** One thing publishing would change in the published roaming value that the patch does not change. */
export interface PublishDriftChange {
  /** A field path (`Name`, `Links[link-1]`) or a Storage path (`docs/a.md`). */
  readonly path: string;
  /** Storage only: a file or a folder. */
  readonly kind?: "file" | "folder";
  /** From the published value to what would be published: `removed` drops data. */
  readonly change: ItemChange;
  /** Value modules: DAG-JSON form in the published value, and in what would be published. */
  readonly before?: unknown;
  readonly after?: unknown;
}

/**
 * The published roaming value differs from the fold of the known sources in ways the patch does not
 * explain: publishing would also change these (usually: a device the bot does not know wrote them).
 */
export interface PublishDrift {
  /** What the roaming key points at now. */
  readonly publishedCid: string;
  readonly changes: readonly PublishDriftChange[];
  /** The target's `allowDivergentPublish` setting: when false (the default), an apply refuses. */
  readonly allowed: boolean;
}

export interface EntryChange {
  /** 0-based position in the patch request's `Entries`. */
  readonly index: number;
  /** CID of the proposed EventStreamEntry block. */
  readonly cid: string;
  readonly eventId: string;
  /**
   * The EventId of what the entry does: Storage dispatches on its content's own event kind and ignores
   * the entry's label (OwlCore.Nomad.Storage.Kubo NomadKuboFolder.ApplyEntryUpdateAsync); other modules on
   * `eventId`. Rules match this. A patch whose label and content differ is refused.
   */
  readonly effectEventId: string;
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
  /**
   * What the entry does to its item when it changes the state: a create adds, a delete removes, an
   * update changes. Absent when the effect is not `changed` or the module cannot say.
   */
  readonly change?: ItemChange;
  /**
   * The item the entry acts on, where the module can name it: a Storage path below the root
   * (`docs/guide.md`, the file a create makes, not the folder it targets) or a field (`Name`,
   * `Links[docs]`, `Features[beta]`).
   */
  readonly item?: string;
}

/** One file or folder in a Storage target that the patch touches. */
export interface StorageItemChange {
  /** Path below the root folder, `/`-separated, e.g. `docs/readme.md`; folders end without a slash. */
  readonly path: string;
  readonly kind: "file" | "folder";
  readonly change: ItemChange;
  /** File content CIDs (UnixFS) before and after; null when absent or empty. */
  readonly beforeContent?: string | null;
  readonly afterContent?: string | null;
  /** Unified diff of a small text file's content, when both sides could be fetched as text. */
  readonly textDiff?: string;
  /** Why there is no text diff (binary, too large, unreachable). */
  readonly textDiffNote?: string;
  /** File sizes in bytes before and after: null on the side where the file does not exist; absent when unknown. */
  readonly beforeSize?: number | null;
  readonly afterSize?: number | null;
  /** The file's media type, from its first bytes where fetched, else its extension (`image/png`); absent when unknown. */
  readonly mediaType?: string;
}

/** One field of a value module's state (WindowsAppCommunity, PeerSwarm). */
export interface FieldChange {
  /** Field path, e.g. `Name`, `Links[link-1]` (a record by its Id), `Features[beta]` (a plain list item by its value). */
  readonly path: string;
  readonly change: ItemChange;
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
    /** The entries counted in `changed`, by what they do to their item (those the module cannot name count as changed). */
    readonly byChange: ChangeCounts;
    /** The items of the module view (files and folders, or fields) by change; zeros when there is none. */
    readonly items: ChangeCounts;
  };
  readonly warnings: readonly Problem[];
  /** Non-empty means the patch can never be applied as it is. */
  readonly refusals: readonly Problem[];
  /**
   * What the publish would change beyond the patch's own effects, or null when nothing. Always set by
   * the review; optional for readers.
   */
  readonly publishDrift?: PublishDrift | null;
  /**
   * Non-empty means an apply is refused *now*, for reasons outside the patch that can clear (a device
   * back online, a source configured, a setting): `source-unreachable`, `divergent-publish`. An approval
   * may still be given; it applies once they are gone. Always set by the review; optional for readers.
   */
  readonly blockers?: readonly Problem[];
  /**
   * What the patch writes that changed after its base (a lost update if approved). Always set by the
   * review; optional for readers.
   */
  readonly conflicts?: ConflictCheck | null;
}

/** True when nothing refuses or blocks the patch and its result is predictable: an apply would go ahead. */
export function isApplicable(review: PatchReview): boolean {
  return (
    review.refusals.length === 0 && (review.blockers ?? []).length === 0 && review.predictedResultCid !== null
  );
}

/**
 * One thing the patch writes that was also changed after the patch's base: a FileUpdateEvent or a value
 * update replaces the whole file or field, so approving would remove the change made since.
 */
export interface Conflict {
  /** A Storage path (`README.md`, `docs`) or a field path (`Name`, `Links[link-1]`, `Features[beta]`). */
  readonly path: string;
  /** Storage only: a file or a folder. */
  readonly kind?: "file" | "folder";
  /** The value on each side: a file's content CID (null when absent or empty), a field's DAG-JSON; absent when the item is absent there. */
  readonly base?: unknown;
  readonly current?: unknown;
  readonly patch?: unknown;
  /** Text files: unified diffs base → current (what approving removes) and base → patch (what the author changed). */
  readonly currentDiff?: string;
  readonly patchDiff?: string;
  /** Why there are no text diffs (binary, too large, unreachable). */
  readonly diffNote?: string;
  /**
   * Storage: the item was removed after the base and the patch changes it; C# replays no entry of an item
   * that does not exist, so approving leaves it removed and the patch's change is dropped.
   */
  readonly dropped?: true;
}

/**
 * What changed between the patch's base and the target's current value, where the patch writes too.
 * `clean`: nothing the patch writes changed since its base. `base-unavailable`: the base's block could
 * not be read, so conflicts cannot be checked (never guessed). A null base (the author saw nothing)
 * counts as an empty target: every item the patch writes that exists now is a conflict.
 */
export interface ConflictCheck {
  readonly state: "clean" | "conflicts" | "base-unavailable";
  /** The patch's base, as in `patch.base`. */
  readonly base: string | null;
  readonly conflicts: readonly Conflict[];
  /** `base-unavailable`: why the base could not be read. */
  readonly note?: string;
}

/** True when approving this patch would remove changes made after it was written. */
export function hasConflicts(review: Pick<PatchReview, "conflicts">): boolean {
  return review.conflicts?.state === "conflicts";
}
