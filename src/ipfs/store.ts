import type { CID } from "multiformats/cid";
import type { Block } from "./car.js";

/**
 * The IPFS store port: everything nomad-patch asks of an IPFS node, and nothing more.
 * The Kubo implementation (`kubo-store.ts`) proves itself against real daemons; the pure
 * core never sees this interface, only the use-cases in `service/` do.
 *
 * Every call is bounded: `timeoutMs` (default from the store's limits) and, for reads,
 * a maximum size. Failures are typed (`./errors.ts`).
 */
export { MAX_BLOCK_BYTES } from "../nomad/block.js";
export type { Block } from "./car.js";

export interface CallOptions {
  /** Abort after this many milliseconds (overrides the store default). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface IpnsKey {
  /** Node-local key name, e.g. `Nomad.PatchRequest.Roaming.fix-typo`. */
  readonly name: string;
  /** The IPNS name in base36 (`k51…`), as Nomad stores and compares it. */
  readonly id: string;
}

export interface PublishOptions extends CallOptions {
  /** Record lifetime, Go duration syntax. Nomad uses `24h`. */
  readonly lifetime?: string;
  /** Publish even when the node has no peers (single-node set-ups and tests). */
  readonly allowOffline?: boolean;
  /**
   * The key's IPNS name (`k51…`) when other nodes publish under the same key too (a Nomad roaming key,
   * which every device of the owner holds): the record is numbered one above the best record the network
   * holds for it, not one above this node's own last record, so that it wins over a device that
   * published more often. A name the network has no record of is published as Kubo numbers it.
   */
  readonly sharedName?: string;
}

export interface ResolveOptions extends CallOptions {
  /** Ask the network again instead of answering from Kubo's name cache. */
  readonly nocache?: boolean;
}

export interface ReadOptions extends CallOptions {
  /** Refuse content larger than this many bytes. */
  readonly maxBytes?: number;
}

export type DagCodecName = "dag-cbor" | "dag-json";

export interface PutOptions extends CallOptions {
  /** DAG-CBOR is Nomad's codec; DAG-JSON is for humans and fixtures. */
  readonly codec?: DagCodecName;
  readonly pin?: boolean;
}

/** A decoded block and the bytes it took: a byte budget counts them without decoding again. */
/** A block a prefetch read from the node. */
export interface PrefetchedBlock {
  /** Its `blockKey` (`cidOfKey` gives the CID back). */
  readonly key: string;
  readonly size: number;
}

export interface SizedValue {
  readonly value: unknown;
  readonly size: number;
}

/** What a DAG export read: how many bytes, and whether it ended on its own (not stopped or cut at `maxBytes`). */
export interface ExportSummary {
  readonly bytes: number;
  readonly complete: boolean;
}

export interface ExportOptions extends ReadOptions {
  /** Only the blocks already on the node, none fetched from the network (Kubo's `--local-only`). */
  readonly localOnly?: boolean;
}

export interface ImportOptions extends CallOptions {
  /** Pin this root recursively once the blocks are in (every block under it must then be on the node). */
  readonly pinRoot?: CID;
}

/** One pubsub message as the node received it: the sending peer and the raw bytes. */
export interface PubsubMessage {
  readonly from: string;
  readonly data: Uint8Array;
}

export interface SubscribeOptions extends CallOptions {
  /** Messages larger than this are dropped unread (default 64 KiB; Kubo's own cap is 1 MiB). */
  readonly maxBytes?: number;
  /** Told once if the subscription ends before `close` (the node stopped, the connection broke). */
  readonly onEnd?: (error: Error) => void;
}

export interface Subscription {
  /** Stop receiving; waits until the node has been told. */
  close(): Promise<void>;
}

export interface IpfsStore {
  /** Encode `value` locally (so the CID is known before Kubo answers), store it, and check Kubo agrees. */
  dagPut(value: unknown, options?: PutOptions): Promise<CID>;
  /** Fetch and decode a block (DAG-CBOR, DAG-JSON or raw), verifying its hash. */
  dagGet(cid: CID, options?: ReadOptions): Promise<unknown>;
  /** `dagGet` with the block's size in bytes. */
  dagGetSized(cid: CID, options?: ReadOptions): Promise<SizedValue>;
  /** The raw bytes of one block, hash-verified. */
  getBlock(cid: CID, options?: ReadOptions): Promise<Uint8Array>;
  /**
   * The DAG under `root` in one request (a CAR stream), each block hash-verified and handed to `visit`
   * in traversal order; `visit` answers false to stop there (nothing more is read). Reads at most
   * `maxBytes`: beyond them it stops and says the export is not complete.
   */
  exportDag(root: CID, visit: (block: Block) => boolean, options?: ExportOptions): Promise<ExportSummary>;
  /**
   * A hint that the blocks under `root` will be read soon: a store with a block cache reads the DAG in
   * one request (stopping at UnixFS files and at `maxBytes`) and keeps it. Returns the blocks it read
   * from the node; a store without a cache reads nothing.
   */
  prefetchDag(root: CID, options?: ReadOptions): Promise<PrefetchedBlock[]>;
  /** Store many blocks in one request (a CAR through `dag/import`), each checked against its CID first. */
  importBlocks(blocks: readonly Block[], options?: ImportOptions): Promise<void>;
  /** Add bytes as a UnixFS file (CIDv0, Kubo's default, as the C# libraries do). */
  addFile(bytes: Uint8Array, options?: CallOptions & { readonly pin?: boolean }): Promise<CID>;
  /** The bytes of a UnixFS file, refused beyond `maxBytes`. */
  catFile(cid: CID, options?: ReadOptions): Promise<Uint8Array>;
  /**
   * The size in bytes a UnixFS file says it has (its root node's `filesize`), read without fetching the
   * file: for showing, never for trusting.
   */
  fileSize(cid: CID, options?: CallOptions): Promise<number>;

  /** What an IPNS name points at now, or `undefined` when the name is not found within the bound. */
  resolveName(name: string, options?: ResolveOptions): Promise<CID | undefined>;
  /** Point the IPNS name of key `keyName` at `cid`. */
  publishName(keyName: string, cid: CID, options?: PublishOptions): Promise<{ name: string; value: CID }>;

  listKeys(options?: CallOptions): Promise<IpnsKey[]>;
  /** Create an Ed25519 key. Fails if the name is taken. */
  generateKey(name: string, options?: CallOptions): Promise<IpnsKey>;
  /** Import a private key in libp2p protobuf form (what `ipfs key export` writes). */
  importKey(name: string, privateKey: Uint8Array, options?: CallOptions): Promise<IpnsKey>;
  /** The libp2p protobuf private key; only a node whose repository is on this machine can do this. */
  exportKey(name: string, options?: CallOptions): Promise<Uint8Array>;

  /** Pin recursively, so what was written or applied outlives garbage collection. */
  pin(cid: CID, options?: CallOptions): Promise<void>;

  /** Publish bytes on a pubsub topic (Kubo's `Pubsub.Enabled` must be on). */
  pubsubPublish(topic: string, data: Uint8Array, options?: CallOptions): Promise<void>;
  /** The peers this node knows to be subscribed to a topic (a sender's way to know someone listens). */
  pubsubPeers(topic: string, options?: CallOptions): Promise<string[]>;
  /**
   * Receive a topic's messages until `close`. `timeoutMs` bounds the subscribing, not the subscription;
   * this node's own messages are delivered too (the caller knows its peer id).
   */
  pubsubSubscribe(
    topic: string,
    onMessage: (message: PubsubMessage) => void,
    options?: SubscribeOptions,
  ): Promise<Subscription>;

  /** The node's peer id and addresses; also a cheap liveness check. */
  id(options?: CallOptions): Promise<{ peerId: string; addresses: string[] }>;
}
