/**
 * `nomad-patch`: patch requests for Nomad as a library. The use-cases the app and the command line run
 * (create, propose, review, apply, pair, export, status), over the {@link IpfsStore} port and the Kubo
 * store that implements it, and the renderings of a review. Nothing of Probot is imported from here; the
 * pure Nomad core is `nomad-patch/nomad` and the GitHub App `nomad-patch/app` (docs/library.md).
 *
 * Everything not exported here, from `nomad-patch/nomad` or from `nomad-patch/app` is internal and may
 * change in any release.
 *
 * @packageDocumentation
 */

// Errors: every failure is a NomadPatchError with a stable `code` and an exit code for command lines.
export {
  DecodeError,
  InternalError,
  LimitExceededError,
  NomadPatchError,
  PolicyRefusal,
  UsageError,
} from "./errors.js";
export type { Block } from "./ipfs/car.js";
export {
  InvalidReferenceError,
  IpfsTimeoutError,
  KuboError,
  KuboUnavailableError,
  NotFoundError,
  NotKuboApiError,
  PubsubDisabledError,
  UnsupportedError,
} from "./ipfs/errors.js";
// The IPFS node: the port, the Kubo store, and a node to use (a running one or a managed daemon).
export { KuboStore, type KuboStoreLimits, type KuboStoreOptions } from "./ipfs/kubo-store.js";
export { type OpenedKubo, type OpenKuboOptions, openKubo } from "./ipfs/open-kubo.js";
export type {
  CallOptions,
  DagCodecName,
  ExportOptions,
  ExportSummary,
  ImportOptions,
  IpfsStore,
  IpnsKey,
  PrefetchedBlock,
  PublishOptions,
  PubsubMessage,
  PutOptions,
  ReadOptions,
  ResolveOptions,
  SizedValue,
  SubscribeOptions,
  Subscription,
} from "./ipfs/store.js";
// Nomad's own types the use-cases take and give (the whole core is `nomad-patch/nomad`).
export type {
  CrawledEntry,
  CrawlLimits,
  EntryEffect as FoldEntryEffect,
  EventStreamEntry,
  FoldBudget,
  FoldContext,
  FoldLimits,
  FoldResult,
  FoldStep,
  FoldSubject,
  IpldMap,
  IpldValue,
  IpnsName,
  LoadedEntry,
  NomadModule,
  SeedInput,
  SourceRemoval,
  Ticks,
  TimestampForm,
  VisitedSource,
} from "./nomad/index.js";
export type { PairCode } from "./nomad/pairing/pair-code.js";
export type { EventStreamSize } from "./nomad/records/event-stream-size.js";
// The change model a review produces, and what an apply did.
export type { ApplyOutcome } from "./patch-request/apply-outcome.js";
export {
  CHANGE_MODEL_VERSION,
  type ChangeCounts,
  type Conflict,
  type ConflictCheck,
  type EntryChange,
  type EntryEffect,
  type FieldChange,
  type ItemChange,
  isApplicable,
  type ModuleView,
  type PatchInfo,
  type PatchReview,
  type Problem,
  type PublishDrift,
  type PublishDriftChange,
  type RejectedHistory,
  type RejectedHistoryEntry,
  type StorageItemChange,
  type TargetInfo,
  type UnreachableSource,
} from "./patch-request/change-model.js";
export type { RevisionDelta } from "./patch-request/compare-revisions.js";
export type { PatchRequestRecord } from "./patch-request/patch-request-record.js";
export type { ProposedEntry } from "./patch-request/proposed-entry.js";
// Renderings of a review and an outcome: the bot's comment, the terminal text, the documented JSON.
export {
  type OutcomeOptions,
  type ReviewMarkdownOptions,
  type Revision,
  type RulesRejection,
  renderOutcomeMarkdown,
  renderOutcomeText,
  renderReviewJson,
  renderReviewMarkdown,
  renderReviewText,
  type TextOptions,
} from "./render/index.js";
// Apply: exactly once, bound to the reviewed version, recorded in a journal.
export {
  BlockTooLargeError,
  ContentUnreachableError,
  DivergentPublishError,
  PatchMovedError,
  ReadOnlyTargetError,
  SourceUnreachableError,
  TargetMovedError,
  UnfinishedApplyError,
  UnreplayableHistoryError,
} from "./service/apply-errors.js";
export {
  type ApplyJournal,
  type JournalIssue,
  type JournalRecord,
  type JournalState,
  memoryJournal,
  type PlannedEntry,
} from "./service/apply-journal.js";
export { type ApplyPatchDeps, type ApplyPatchInput, applyPatch } from "./service/apply-patch.js";
export { type BlockCacheOptions, type CachingStore, withBlockCache } from "./service/caching-store.js";
// Create a Nomad object with this node as its first device.
export { type CreatedObject, createNomadObject } from "./service/create-nomad-object.js";
export type { DecodedBlock, DecodedDagShelf } from "./service/decoded-dag-shelf.js";
export type { DiskBlockCache } from "./service/disk-block-cache.js";
// Export a Storage folder to disk, as a contributor's starting point.
export { type ExportedFolder, exportFolder } from "./service/export-folder.js";
export { type FindAppliedInput, findApplied } from "./service/find-applied.js";
export type { DeviceKeys } from "./service/find-device-keys.js";
export type { FoldShelfHandle } from "./service/fold-shelf.js";
export type { LoadedPatchRequest } from "./service/load-patch-request.js";
export { type LoadedTarget, type LoadTargetInput, loadTarget } from "./service/load-target.js";
export { type JournalNode, type NodeJournal, openNodeJournal } from "./service/node-journal.js";
// Status: what this node holds and may write.
export {
  type CheckedTarget,
  type HeldObject,
  type NodeStatus,
  nodeStatus,
} from "./service/node-status.js";
// Pair: make this node a device of an object, or send an object to another node (the C# key exchange).
export { PairingTimeoutError } from "./service/pair/pair-errors.js";
export type { RefusedInRoom, RoomTiming } from "./service/pair/peer-room-session.js";
export {
  type ReceivedPairing,
  type ReceivePairingInput,
  receivePairing,
} from "./service/pair/receive-pairing.js";
export { type SendPairingInput, type SentPairing, sendPairing } from "./service/pair/send-pairing.js";
// Propose: a change to a target this node only reads, published as a patch request under a new key.
export {
  type ProposedChanges,
  type ProposedPatch,
  type ProposePatchInput,
  proposePatch,
} from "./service/propose-patch.js";
export type { PublishedPatch } from "./service/propose-publish.js";
export type { FolderChange } from "./service/propose-storage.js";
export type { ValueOperation } from "./service/propose-values.js";
// Review: a patch request against its target as this node sees it.
export {
  type ReviewedPatch,
  type ReviewLimits,
  type ReviewPatchInput,
  reviewPatch,
  type TargetSetting,
} from "./service/review-patch.js";
export type { ReviewedTarget } from "./service/review-target.js";
export type { FoldShelf, RememberedFold, TargetMemo } from "./service/target-memo.js";
