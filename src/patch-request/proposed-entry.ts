import type { CID } from "multiformats/cid";
import type { LoadedEntry } from "../nomad/modules/types.js";
import type { EventStreamEntry } from "../nomad/records/event-stream-entry.js";

/**
 * One entry a patch request proposes, as far as it could be read. Reading stops at the
 * first failure, and the failure is kept so validation can name it instead of throwing.
 */
export interface ProposedEntry {
  /** Position in the patch request's `Entries` (authoring order). */
  readonly index: number;
  readonly cid: CID;
  /** The decoded entry block; absent when it could not be fetched or decoded. */
  readonly entry?: EventStreamEntry;
  /** The entry with its content (and linked value blocks) loaded; absent when unreachable or not loadable. */
  readonly loaded?: LoadedEntry;
  /** Why `entry` or `loaded` is missing. */
  readonly problem?: { readonly code: "entry-unreadable" | "content-unreachable"; readonly message: string };
}
