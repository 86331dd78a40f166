/**
 * Builders for Nomad test data on real Kubo nodes: a target owned by an operator node, a patch
 * request written by a contributor node, and a way to read what landed in a device's stream.
 * Anything with a `store` is a node (a `KuboNode` from `../kubo.js`).
 */

export type { BuiltTarget, NodeLike } from "./node.js";
export { testPublish } from "./node.js";
export { proposePatch, type RawEntry, repointPatch } from "./patch-request.js";
export { createProjectTarget, type ProjectLink } from "./project-target.js";
export { createStorageTarget, type StorageTarget } from "./storage-target.js";
export { readStreamEntries, type StreamEntryView } from "./stream-entries.js";
