// The errors the core throws: every one is a NomadPatchError with a stable `code`.
export { DecodeError, InternalError, LimitExceededError, NomadPatchError } from "../errors.js";
export { type EncodedBlock, encodeBlock, MAX_BLOCK_BYTES } from "./block.js";
export { canonicalJson } from "./canonical-json.js";
export {
  type CrawledEntry,
  type CrawlFetchers,
  type CrawlLimits,
  type CrawlOptions,
  type CrawlResult,
  crawlSources,
  type SourceEvent,
  type SourceRemoval,
  type VisitedSource,
} from "./crawl.js";
export { foldFromSeed, foldOnTop } from "./fold.js";
export {
  defaultFoldLimits,
  FoldBudget,
  FoldBudgetExceededError,
  type FoldLimits,
  type FoldSubject,
  spend,
  yieldToEventLoop,
} from "./fold-budget.js";
export { applyStep, budgetOf, foldByTarget } from "./fold-step.js";
export { type IpldMap, type IpldValue, ipldEqual, isIpldMap } from "./ipld.js";
export { type IpnsName, isIpnsName, LIBP2P_KEY_CODE, parseIpnsName } from "./ipns-name.js";
export {
  checkKeyNamePrefix,
  localKeyNameFor,
  type NomadKeyNames,
  nomadKeyNames,
  splitRoamingKeyName,
} from "./key-names.js";
export { createLimiter, type Limiter } from "./limiter.js";
export { type EntryToLoad, loadEntries } from "./load-entries.js";
export { genericModule } from "./modules/generic.js";
export { peerModule } from "./modules/peer.js";
export { peerSwarmModule } from "./modules/peer-swarm.js";
export { peerSwarmTrackerModule } from "./modules/peer-swarm-tracker.js";
export { chooseModule, moduleByName, moduleOfRoamingKeyName, modules } from "./modules/registry.js";
export type { FileData, FolderData } from "./modules/storage.js";
export { storageModule } from "./modules/storage.js";
export {
  CREATE_FILE,
  CREATE_FOLDER,
  DELETE_ITEM,
  decodeFileUpdateEvent,
  decodeFolderUpdateEvent,
  encodeFileUpdateEvent,
  encodeFolderUpdateEvent,
  FILE_UPDATE,
  type FileUpdateEvent,
  type FolderUpdateEvent,
} from "./modules/storage-events.js";
export type {
  EntryEffect,
  FoldContext,
  FoldResult,
  FoldStep,
  LoadedEntry,
  NomadModule,
  Reducer,
  SeedInput,
} from "./modules/types.js";
export { wacProjectModule } from "./modules/wac-project.js";
export { wacPublisherModule } from "./modules/wac-publisher.js";
export { wacUserModule } from "./modules/wac-user.js";
export { type OrderedEntries, orderEntries } from "./order-entries.js";
export { decodeEventStream, type EventStream, encodeEventStream } from "./records/event-stream.js";
export {
  decodeEventStreamEntry,
  type EventStreamEntry,
  encodeEventStreamEntry,
} from "./records/event-stream-entry.js";
export { decodeRoamingSources } from "./records/roaming-sources.js";
export {
  decodeSourceEventContent,
  RESERVED_EVENT_IDS,
  SOURCE_ADD_EVENT_ID,
  SOURCE_REMOVE_EVENT_ID,
} from "./records/source-events.js";
export {
  decodeValueUpdateEvent,
  encodeValueUpdateEvent,
  type ValueUpdateEvent,
} from "./records/value-update-event.js";
export { isWithinObject } from "./target-id.js";
export {
  formatTimestamp,
  type ParsedTimestamp,
  parseTimestamp,
  parseTimestampDetailed,
  TICKS_PER_MILLISECOND,
  type Ticks,
  type TimestampForm,
  ticksFromMilliseconds,
} from "./timestamp.js";
