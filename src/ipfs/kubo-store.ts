import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { create, type KuboRPCClient } from "kubo-rpc-client";
import { CID } from "multiformats/cid";
import type { NomadPatchError } from "../errors.js";
import { LimitExceededError } from "../errors.js";
import { yieldIfBusy } from "../nomad/event-loop-slice.js";
import { decodeBlock, encodeBlock, verifyBlock } from "./block-codec.js";
import { type Block, CarReader, encodeCar } from "./car.js";
import {
  InvalidReferenceError,
  IpfsTimeoutError,
  KuboError,
  NotFoundError,
  UnsupportedError,
} from "./errors.js";
import { mapKuboError } from "./map-kubo-error.js";
import {
  type CallOptions,
  type ExportOptions,
  type ExportSummary,
  type ImportOptions,
  type IpfsStore,
  type IpnsKey,
  MAX_BLOCK_BYTES,
  type PrefetchedBlock,
  type PublishOptions,
  type PubsubMessage,
  type PutOptions,
  type ReadOptions,
  type ResolveOptions,
  type SizedValue,
  type SubscribeOptions,
  type Subscription,
} from "./store.js";

export interface KuboStoreLimits {
  /** Default bound for a call that names none. */
  readonly timeoutMs: number;
  /** Default bound for an IPNS resolve, which may walk the DHT. */
  readonly resolveTimeoutMs: number;
  /** Largest block accepted (Kubo itself refuses blocks over 2 MiB from peers). */
  readonly maxBlockBytes: number;
  /** Largest UnixFS file read by `catFile` unless the call says otherwise. */
  readonly maxFileBytes: number;
  /**
   * An export (`dag/export`) streams for as long as its DAG is large: it is given up when nothing has come
   * (no byte from the node, no block handed over) for this long, not after a fixed time.
   */
  readonly exportIdleMs: number;
  /** However steadily it streams, an export ends by this time (unless the call gives its own bound). */
  readonly exportMaxMs: number;
}

export const defaultKuboStoreLimits: KuboStoreLimits = {
  timeoutMs: 30_000,
  resolveTimeoutMs: 60_000,
  maxBlockBytes: MAX_BLOCK_BYTES,
  maxFileBytes: 16 * 1024 * 1024,
  exportIdleMs: 30_000,
  exportMaxMs: 600_000,
};

export interface KuboStoreOptions {
  /** The RPC API base, e.g. `http://127.0.0.1:5001`. */
  readonly apiUrl: string;
  readonly limits?: Partial<KuboStoreLimits>;
  /**
   * Set when the node's repository is on this machine: the only way to export a key,
   * which Kubo does not offer over RPC.
   */
  readonly local?: { readonly binary: string; readonly repoPath: string };
}

const execFileAsync = promisify(execFile);

/** The IPFS store port implemented over Kubo's RPC API. */
export class KuboStore implements IpfsStore {
  readonly apiUrl: string;
  readonly limits: KuboStoreLimits;
  private readonly client: KuboRPCClient;

  constructor(private readonly options: KuboStoreOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, "");
    this.limits = { ...defaultKuboStoreLimits, ...options.limits };
    this.client = create({ url: `${this.apiUrl}/api/v0` });
  }

  async dagPut(value: unknown, options: PutOptions = {}): Promise<CID> {
    const { cid, bytes } = await encodeBlock(value, options.codec ?? "dag-cbor");
    const stored = await this.call("block put", options, (signal) =>
      this.client.block.put(bytes, {
        format: options.codec ?? "dag-cbor",
        mhtype: "sha2-256",
        pin: options.pin ?? false,
        signal,
      }),
    );
    if (!stored.equals(cid)) {
      throw new KuboError("dag put", `Kubo stored the block as ${stored} but it encodes to ${cid}`);
    }
    return cid;
  }

  async dagGet(cid: CID, options: ReadOptions = {}): Promise<unknown> {
    return decodeBlock(cid, await this.getBlock(cid, options));
  }

  async dagGetSized(cid: CID, options: ReadOptions = {}): Promise<SizedValue> {
    const bytes = await this.getBlock(cid, options);
    return { value: decodeBlock(cid, bytes), size: bytes.byteLength };
  }

  async exportDag(
    root: CID,
    visit: (block: Block) => boolean,
    options: ExportOptions = {},
  ): Promise<ExportSummary> {
    const maxBytes = options.maxBytes ?? Infinity;
    const params = new URLSearchParams({
      arg: root.toString(),
      "local-only": String(options.localOnly ?? false),
    });
    const idleMs = this.limits.exportIdleMs;
    const ceiling = { ...options, timeoutMs: options.timeoutMs ?? this.limits.exportMaxMs };
    return this.call(`dag export ${root}`, ceiling, async (signal) => {
      // A request of its own, so stopping early can cancel it (the rest of the DAG is then never read).
      const stop = new AbortController();
      // Re-armed by every chunk that arrives and every block handed over: a large export under load takes
      // as long as it takes, one that stops sending is given up.
      const stalled = new AbortController();
      const idle = setTimeout(() => stalled.abort(), idleMs);
      let bytes = 0;
      try {
        const response = await fetch(`${this.apiUrl}/api/v0/dag/export?${params}`, {
          method: "POST",
          signal: AbortSignal.any([signal, stop.signal, stalled.signal]),
        });
        if (!response.ok || !response.body) throw new Error(`${(await response.text()).slice(0, 300)}`);
        // The blocks a chunk completes are handled in one synchronous pass (no promise per block); the
        // idle bound is re-armed once they are handed over and after each turn given to the event loop,
        // the only moments its timer could run.
        const reader = new CarReader({ maxSectionBytes: this.limits.maxBlockBytes + 128 });
        for await (const chunk of response.body) {
          reader.push(chunk);
          for (let block = reader.next(); block; block = reader.next()) {
            bytes += block.bytes.byteLength;
            if (bytes > maxBytes) return { bytes: bytes - block.bytes.byteLength, complete: false };
            verifyBlock(block.cid, block.bytes);
            if (!visit(block)) return { bytes, complete: false };
            // A whole export may already be buffered: hashing and caching it must not hold the event loop.
            const turn = yieldIfBusy();
            if (turn) {
              await turn;
              idle.refresh();
            }
          }
          idle.refresh();
        }
        reader.end();
        return { bytes, complete: true };
      } catch (error) {
        if (stalled.signal.aborted && !signal.aborted) {
          throw new IpfsTimeoutError(
            `dag export ${root} (no bytes for ${idleMs} ms, after ${bytes})`,
            idleMs,
            {
              cause: error,
            },
          );
        }
        throw error;
      } finally {
        clearTimeout(idle);
        stop.abort();
      }
    });
  }

  /** Nothing to keep the blocks in: a cache in front of this store does the prefetching. */
  async prefetchDag(): Promise<PrefetchedBlock[]> {
    return [];
  }

  async importBlocks(blocks: readonly Block[], options: ImportOptions = {}): Promise<void> {
    const first = blocks[0];
    if (!first) return;
    // Each block is checked here, so Kubo stores under a CID exactly the bytes that hash to it.
    for (const block of blocks) verifyBlock(block.cid, block.bytes);
    const root = options.pinRoot ?? first.cid;
    const car = encodeCar([root], blocks);
    const params = new URLSearchParams({ "pin-roots": String(options.pinRoot !== undefined) });
    await this.call(`dag import of ${blocks.length} blocks`, options, async (signal) => {
      const body = new FormData();
      body.append("file", new Blob([car]), "blocks.car");
      const response = await fetch(`${this.apiUrl}/api/v0/dag/import?${params}`, {
        method: "POST",
        body,
        signal,
      });
      const text = await response.text();
      if (!response.ok) throw new Error(text.slice(0, 300));
      // Kubo reports a failed pin in the answer, not in the status.
      const pinError = /"PinErrorMsg":"([^"]+)"/.exec(text)?.[1];
      if (pinError) throw new Error(`pinning ${root}: ${pinError}`);
    });
  }

  async getBlock(cid: CID, options: ReadOptions = {}): Promise<Uint8Array> {
    const max = options.maxBytes ?? this.limits.maxBlockBytes;
    const bytes = await this.call(`block get ${cid}`, options, (signal) =>
      this.client.block.get(cid, { signal }),
    );
    if (bytes.byteLength > max) {
      throw new LimitExceededError(
        `block ${cid} has ${bytes.byteLength} bytes, more than the limit of ${max}`,
      );
    }
    verifyBlock(cid, bytes);
    return bytes;
  }

  async addFile(bytes: Uint8Array, options: CallOptions & { readonly pin?: boolean } = {}): Promise<CID> {
    const added = await this.call("add", options, (signal) =>
      this.client.add(bytes, { pin: options.pin ?? false, cidVersion: 0, signal }),
    );
    return added.cid;
  }

  async catFile(cid: CID, options: ReadOptions = {}): Promise<Uint8Array> {
    const max = options.maxBytes ?? this.limits.maxFileBytes;
    return this.call(`cat ${cid}`, options, async (signal) => {
      const chunks: Uint8Array[] = [];
      let total = 0;
      // Ask for one byte more than allowed: receiving it proves the file is too large.
      for await (const chunk of this.client.cat(cid, { length: max + 1, signal })) {
        total += chunk.byteLength;
        if (total > max) throw new LimitExceededError(`file ${cid} is larger than the limit of ${max} bytes`);
        chunks.push(chunk);
      }
      return concat(chunks, total);
    });
  }

  async fileSize(cid: CID, options: CallOptions = {}): Promise<number> {
    const stat = await this.call(`files stat /ipfs/${cid}`, options, (signal) =>
      this.client.files.stat(`/ipfs/${cid}`, { signal }),
    );
    return Number(stat.size);
  }

  async resolveName(name: string, options: ResolveOptions = {}): Promise<CID | undefined> {
    assertNameSyntax(name);
    const timeoutMs = options.timeoutMs ?? this.limits.resolveTimeoutMs;
    // Kubo gives up on the DHT a little before we give up on Kubo, so an unknown name
    // comes back as Kubo's "could not resolve" (a normal not-found), not as our timeout.
    const dhtTimeout = `${Math.max(500, Math.floor(timeoutMs * 0.8))}ms`;
    try {
      return await this.call(`name resolve ${name}`, { ...options, timeoutMs }, async (signal) => {
        let last: string | undefined;
        for await (const path of this.client.name.resolve(`/ipns/${name}`, {
          recursive: true,
          nocache: options.nocache ?? false,
          signal,
          // An option kubo-rpc-client does not know is sent as it is given; see `kuboOptions`.
          ...kuboOptions({ "dht-timeout": dhtTimeout }),
        })) {
          last = path;
        }
        return last === undefined ? undefined : parseIpfsPath(last);
      });
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async publishName(
    keyName: string,
    cid: CID,
    options: PublishOptions = {},
  ): Promise<{ name: string; value: CID }> {
    const best =
      options.sharedName === undefined ? undefined : await this.bestSequence(options.sharedName, options);
    const publishAs = (sequence: bigint | undefined) =>
      this.call(`name publish ${keyName}`, options, (signal) =>
        this.client.name.publish(`/ipfs/${cid}`, {
          key: keyName,
          lifetime: options.lifetime ?? "24h",
          allowOffline: options.allowOffline ?? false,
          resolve: false,
          signal,
          ...kuboOptions({
            "ipns-base": "base36",
            ...(sequence === undefined ? {} : { sequence: sequence.toString() }),
          }),
        }),
      );
    let result: Awaited<ReturnType<typeof publishAs>>;
    try {
      result = await publishAs(best === undefined ? undefined : best + 1n);
    } catch (error) {
      // Kubo refuses a number not above its own last record's; that record is then the best one, and
      // Kubo's own numbering (its last plus one) is above the network's.
      if (best === undefined || !/sequence/i.test(String((error as Error).message))) throw error;
      result = await publishAs(undefined);
    }
    return { name: result.name, value: parseIpfsPath(result.value) };
  }

  /**
   * The sequence number of the best record the routing system holds for a name (`routing/get` answers the
   * record that wins among those it found, checked by Kubo's IPNS validator; `name/inspect` reads it), or
   * undefined when there is none. Bounded like a resolve: it walks the DHT.
   */
  private async bestSequence(name: string, options: CallOptions): Promise<bigint | undefined> {
    assertNameSyntax(name);
    const timeoutMs = options.timeoutMs ?? this.limits.resolveTimeoutMs;
    const record = await this.call(`routing get /ipns/${name}`, { ...options, timeoutMs }, async (signal) => {
      const response = await fetch(
        `${this.apiUrl}/api/v0/routing/get?${new URLSearchParams({ arg: `/ipns/${name}` })}`,
        { method: "POST", signal },
      );
      const text = await response.text();
      if (!response.ok) return undefined; // no record found (or none readable): Kubo's numbering stands
      // One JSON object; Kubo streams its answers as lines, so the last line is the one read.
      const last = text.trim().split("\n").at(-1) ?? "";
      const extra = (JSON.parse(last) as { Extra?: unknown }).Extra;
      return typeof extra === "string" ? Buffer.from(extra, "base64") : undefined;
    });
    if (record === undefined || record.byteLength === 0 || record.byteLength > 10 * 1024) return undefined;
    return this.call(`name inspect /ipns/${name}`, options, async (signal) => {
      const body = new FormData();
      body.append("file", new Blob([record]), "record");
      const response = await fetch(`${this.apiUrl}/api/v0/name/inspect`, { method: "POST", body, signal });
      if (!response.ok) throw new KuboError("name inspect", await response.text());
      // The number is a uint64: read from the text, since JSON.parse would round one above 2^53.
      const inspected = await response.text();
      const match = /"Sequence"\s*:\s*(\d+)/.exec(inspected);
      return match?.[1] === undefined ? undefined : BigInt(match[1]);
    });
  }

  async listKeys(options: CallOptions = {}): Promise<IpnsKey[]> {
    const keys = await this.call("key list", options, (signal) =>
      this.client.key.list({ signal, ...kuboOptions({ "ipns-base": "base36" }) }),
    );
    return keys.map((k) => ({ name: k.name, id: k.id }));
  }

  async generateKey(name: string, options: CallOptions = {}): Promise<IpnsKey> {
    assertKeyName(name);
    const key = await this.call(`key gen ${name}`, options, (signal) =>
      this.client.key.gen(name, { type: "ed25519", "ipns-base": "base36", signal }),
    );
    return { name: key.name, id: key.id };
  }

  async importKey(name: string, privateKey: Uint8Array, options: CallOptions = {}): Promise<IpnsKey> {
    assertKeyName(name);
    // kubo-rpc-client's key.import sends a PEM as a query parameter, which Kubo ignores:
    // Kubo wants the key as a multipart file, so this call is made by hand.
    return this.call(`key import ${name}`, options, async (signal) => {
      const params = new URLSearchParams({
        arg: name,
        "ipns-base": "base36",
        format: "libp2p-protobuf-cleartext",
      });
      const body = new FormData();
      body.append("file", new Blob([privateKey]), "key");
      const response = await fetch(`${this.apiUrl}/api/v0/key/import?${params}`, {
        method: "POST",
        body,
        signal,
      });
      const data = (await response.json()) as { Name?: string; Id?: string; Message?: string };
      if (!response.ok || !data.Name || !data.Id) throw new Error(data.Message ?? `HTTP ${response.status}`);
      return { name: data.Name, id: data.Id };
    });
  }

  async exportKey(name: string, options: CallOptions = {}): Promise<Uint8Array> {
    assertKeyName(name);
    const local = this.options.local;
    if (!local) {
      throw new UnsupportedError(
        `cannot export key ${name}: Kubo exports keys only on the machine that holds the repository, and this node was reached by its RPC address alone`,
        {
          hint: "set IPFS_PATH to the repository of the node at --kubo / KUBO_API_URL (as `ipfs` itself needs it, e.g. IPFS_PATH=~/.ipfs), or use the data directory's managed node (no --kubo)",
        },
      );
    }
    const dir = await mkdtemp(join(tmpdir(), "nomad-patch-key-"));
    try {
      const file = join(dir, "key");
      await this.call(`key export ${name}`, options, (signal) =>
        execFileAsync(local.binary, ["key", "export", `--output=${file}`, name], {
          env: { ...process.env, IPFS_PATH: local.repoPath },
          signal,
        }),
      );
      return new Uint8Array(await readFile(file));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async pin(cid: CID, options: CallOptions = {}): Promise<void> {
    await this.call(`pin add ${cid}`, options, (signal) =>
      this.client.pin.add(cid, { recursive: true, signal }),
    );
  }

  async pubsubPublish(topic: string, data: Uint8Array, options: CallOptions = {}): Promise<void> {
    await this.call(`pubsub pub ${topic}`, options, (signal) =>
      this.client.pubsub.publish(topic, data, { signal }),
    );
  }

  async pubsubPeers(topic: string, options: CallOptions = {}): Promise<string[]> {
    const peers = await this.call(`pubsub peers ${topic}`, options, (signal) =>
      this.client.pubsub.peers(topic, { signal }),
    );
    return peers.map((peer) => peer.toString());
  }

  async pubsubSubscribe(
    topic: string,
    onMessage: (message: PubsubMessage) => void,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const maxBytes = options.maxBytes ?? 64 * 1024;
    // Kubo answers a subscription only when the first message arrives, so a node with pubsub off would
    // fail late and quietly: ask a cheap pubsub question first, which fails at once with Kubo's reason.
    await this.call(`pubsub ls`, options, (signal) => this.client.pubsub.ls({ signal }));
    const lifetime = new AbortController();
    let closed = false;
    const handler = (message: { type: string; data: Uint8Array; from?: { toString(): string } }) => {
      if (closed || message.type !== "signed" || !message.from) return;
      if (message.data.byteLength > maxBytes) return;
      onMessage({ from: message.from.toString(), data: message.data });
    };
    await this.call(`pubsub sub ${topic}`, options, () =>
      this.client.pubsub.subscribe(topic, handler, {
        signal: lifetime.signal,
        // kubo-rpc-client passes `fatal` as a second argument its types do not declare.
        onError: (error: Error, fatal?: boolean) => {
          if (fatal === true && !closed) options.onEnd?.(error);
        },
      }),
    );
    return {
      close: async () => {
        closed = true;
        lifetime.abort();
        await this.client.pubsub.unsubscribe(topic, handler).catch(() => {});
      },
    };
  }

  async id(options: CallOptions = {}): Promise<{ peerId: string; addresses: string[] }> {
    const info = await this.call("id", options, (signal) => this.client.id({ signal }));
    // A daemon started with `--offline` answers "Addresses": null (the client passes it on as is).
    const addresses = (info.addresses as typeof info.addresses | null) ?? [];
    return { peerId: info.id.toString(), addresses: addresses.map((a) => a.toString()) };
  }

  /** The raw client, for adapters that need a call the port does not name (tests, swarm set-up). */
  get rpc(): KuboRPCClient {
    return this.client;
  }

  /** Runs one RPC call under a time bound and turns its failure into a typed error. */
  private async call<T>(
    operation: string,
    options: CallOptions,
    run: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.limits.timeoutMs;
    const timer = new AbortController();
    const handle = setTimeout(() => timer.abort(), timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timer.signal]) : timer.signal;
    try {
      return await run(signal);
    } catch (error) {
      const mapped: NomadPatchError = mapKuboError(error, {
        operation,
        apiUrl: this.apiUrl,
        timeoutMs,
        timedOut: timer.signal.aborted,
      });
      throw mapped;
    } finally {
      clearTimeout(handle);
    }
  }
}

/**
 * Query options of Kubo's API that kubo-rpc-client's types do not list. The client sends every option it
 * does not know as it is given, by its name; its own `searchParams` is spread as a plain object, so a
 * `URLSearchParams` there sends nothing (`dht-timeout` and `ipns-base` were lost that way). Typed as an
 * empty object so it spreads into any call's options.
 */
function kuboOptions(options: Readonly<Record<string, string>>): object {
  return options;
}

function parseIpfsPath(path: string): CID {
  const match = /^\/ipfs\/([^/]+)$/.exec(path);
  if (!match?.[1])
    throw new KuboError("name resolve", `expected an /ipfs/<cid> path, got ${JSON.stringify(path)}`);
  return CID.parse(match[1]);
}

function assertNameSyntax(name: string): void {
  if (!/^[0-9A-Za-z]{20,200}$/.test(name)) {
    throw new InvalidReferenceError(`not an IPNS name: ${JSON.stringify(name.slice(0, 120))}`);
  }
}

function assertKeyName(name: string): void {
  if (name.length === 0 || name.length > 200 || /[/\s]/.test(name) || name === "self") {
    throw new InvalidReferenceError(`not a usable key name: ${JSON.stringify(name.slice(0, 120))}`);
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
