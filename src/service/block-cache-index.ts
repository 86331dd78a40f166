import { createHash } from "node:crypto";
import type { CID } from "multiformats/cid";

/**
 * The disk block cache's index (`blocks.index` beside `blocks.car`), saved so that opening the cache reads
 * one small file instead of parsing and hashing every block it holds. It says where each block's bytes
 * are, and which byte ranges hold each DAG a prefetch read whole. It is a hint, never a proof: every block
 * is still checked against its CID when it is read back, and an index that fails any check here (damaged,
 * cut short, foreign, of another format, out of bounds) is refused whole and rebuilt from `blocks.car`.
 *
 * Blocks are found by their SHA-256 digest (the cache keeps only sha2-256 blocks, and the digest is what
 * the bytes are checked against): opening keeps the saved digests as one sorted buffer searched in place,
 * so 33,000 blocks cost one read and one hash, not 33,000 strings and objects.
 *
 * The file: the line `NomadPatchBlockIndex <format> <SHA-256 of the rest, hex>`, a 4-byte length and that
 * many bytes of JSON (`Generation`, `Covered`, `Count`, `Dags`), then `Count` digests of 32 bytes in
 * ascending order, then `Count` places of 14 bytes (offset: float64, length: uint32, head: uint16; little
 * endian).
 */
export interface BlockIndex {
  /** The generation in `blocks.car`'s mark: an index of another generation is not this file's. */
  readonly generation: string;
  /** How many bytes of `blocks.car` it describes: sections after them are read from the file itself. */
  readonly covered: number;
  readonly blocks: BlockPlaces;
  /** DAGs held whole, by root CID string: the byte ranges of `blocks.car` that hold their blocks' sections. */
  readonly dags: Map<string, readonly Range[]>;
}

/** A block's bytes in `blocks.car`; its section starts `head` bytes before them (length varint and CID). */
export interface Place {
  readonly offset: number;
  readonly length: number;
  readonly head: number;
}

/** `[start, end)` in `blocks.car`, whole sections only. */
export type Range = readonly [number, number];

/** Where each block is: those of the saved index, searched in place, and those added since. */
export interface BlockPlaces {
  get(cid: CID): Place | undefined;
  set(cid: CID, place: Place): void;
  readonly size: number;
  /** Every block, by digest (one character per byte), for saving. */
  entries(): [string, Place][];
}

const MARK = "NomadPatchBlockIndex";
export const INDEX_FORMAT = 2;
const DIGEST = 32;
const PLACE = 14;
/** A section's length varint (at most 9 bytes) and a CID (a few dozen bytes): anything longer is not a head. */
const MAX_HEAD = 256;
const MAX_HEADER_JSON = 16 * 1024 * 1024;

/** A digest as a string of one character per byte: a cheap key, ordered as the bytes are. */
const digestKey = (digest: Uint8Array) =>
  Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString("latin1");

/** An empty set of places, or the saved one with nothing added. */
export function blockPlaces(saved?: SavedPlaces): BlockPlaces {
  const added = new Map<string, Place>();
  const count = saved?.count ?? 0;
  return {
    get(cid) {
      const digest = cid.multihash.digest;
      if (digest.byteLength !== DIGEST) return undefined;
      return added.get(digestKey(digest)) ?? (saved ? find(saved, digest) : undefined);
    },
    set(cid, place) {
      added.set(digestKey(cid.multihash.digest), place);
    },
    get size() {
      return count + added.size;
    },
    entries() {
      const all = new Map<string, Place>();
      for (let i = 0; i < count; i++) {
        const at = (saved as SavedPlaces).digests.subarray(i * DIGEST, (i + 1) * DIGEST);
        all.set(digestKey(at), placeAt(saved as SavedPlaces, i));
      }
      for (const [key, place] of added) all.set(key, place);
      return [...all];
    },
  };
}

interface SavedPlaces {
  readonly count: number;
  readonly digests: Buffer;
  readonly places: DataView;
}

function placeAt(saved: SavedPlaces, i: number): Place {
  const at = i * PLACE;
  return {
    offset: saved.places.getFloat64(at, true),
    length: saved.places.getUint32(at + 8, true),
    head: saved.places.getUint16(at + 12, true),
  };
}

/** Binary search of the sorted digests. */
function find(saved: SavedPlaces, digest: Uint8Array): Place | undefined {
  let low = 0;
  let high = saved.count - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const order = saved.digests.compare(digest, 0, DIGEST, mid * DIGEST, (mid + 1) * DIGEST);
    if (order === 0) return placeAt(saved, mid);
    if (order < 0) low = mid + 1;
    else high = mid - 1;
  }
  return undefined;
}

export function encodeIndex(index: BlockIndex): Uint8Array {
  const entries = index.blocks.entries().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const header = Buffer.from(
    JSON.stringify({
      Generation: index.generation,
      Covered: index.covered,
      Count: entries.length,
      Dags: [...index.dags].map(([root, ranges]) => [root, ranges.flat()]),
    }),
  );
  const body = Buffer.alloc(4 + header.length + entries.length * (DIGEST + PLACE));
  body.writeUInt32LE(header.length, 0);
  header.copy(body, 4);
  const digestsAt = 4 + header.length;
  const placesAt = digestsAt + entries.length * DIGEST;
  for (const [i, [key, place]] of entries.entries()) {
    body.write(key, digestsAt + i * DIGEST, "latin1");
    const at = placesAt + i * PLACE;
    body.writeDoubleLE(place.offset, at);
    body.writeUInt32LE(place.length, at + 8);
    body.writeUInt16LE(place.head, at + 12);
  }
  const line = Buffer.from(`${MARK} ${INDEX_FORMAT} ${sha256(body)}\n`);
  return Buffer.concat([line, body]);
}

/**
 * The index in `bytes`, every part checked: its mark and format, its checksum, every field's type, the
 * digests in order, and every place and range within the bytes it covers and a block's bounds. Anything
 * else throws, saying why.
 */
export function decodeIndex(bytes: Uint8Array, limits: { readonly maxBlockBytes: number }): BlockIndex {
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const newline = file.indexOf(0x0a);
  const [mark, format, checksum] = file.toString("latin1", 0, Math.max(newline, 0)).split(" ");
  if (mark !== MARK) throw new Error("not this cache's index");
  if (format !== String(INDEX_FORMAT)) throw new Error(`an index of format ${format}, not ${INDEX_FORMAT}`);
  const body = file.subarray(newline + 1);
  if (checksum !== sha256(body)) throw new Error("its checksum does not match: damaged or cut short");
  const headerLength = body.length >= 4 ? body.readUInt32LE(0) : Infinity;
  if (headerLength > Math.min(MAX_HEADER_JSON, body.length - 4)) throw new Error("its header is cut short");
  const saved = JSON.parse(body.toString("utf8", 4, 4 + headerLength)) as Record<string, unknown>;
  const generation = saved.Generation;
  if (typeof generation !== "string") throw new Error("no generation");
  const covered = count(saved.Covered, "Covered");
  const blockCount = count(saved.Count, "Count");
  const digestsAt = 4 + headerLength;
  const placesAt = digestsAt + blockCount * DIGEST;
  if (placesAt + blockCount * PLACE !== body.length) throw new Error("its length does not match its count");
  const digests = body.subarray(digestsAt, placesAt);
  const places = new DataView(body.buffer, body.byteOffset + placesAt, blockCount * PLACE);
  const savedPlaces = { count: blockCount, digests, places };
  for (let i = 0; i < blockCount; i++) {
    const place = placeAt(savedPlaces, i);
    if (
      !Number.isSafeInteger(place.offset) ||
      place.head === 0 ||
      place.head > MAX_HEAD ||
      place.head > place.offset
    )
      throw new Error("a block's section starts out of bounds");
    if (place.length > limits.maxBlockBytes || place.offset + place.length > covered)
      throw new Error("a block lies out of bounds");
    if (i > 0 && digests.compare(digests, i * DIGEST, (i + 1) * DIGEST, (i - 1) * DIGEST, i * DIGEST) >= 0)
      throw new Error("its digests are not in order");
  }
  if (!Array.isArray(saved.Dags)) throw new Error("Dags is not a list");
  const dags = new Map<string, readonly Range[]>();
  for (const item of saved.Dags as unknown[]) {
    const [root, flat] = Array.isArray(item) ? item : [];
    if (typeof root !== "string" || !Array.isArray(flat) || flat.length % 2 !== 0)
      throw new Error("a DAG is not a root and its ranges");
    const ranges: Range[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const range: Range = [count(flat[i], "a DAG's range"), count(flat[i + 1], "a DAG's range")];
      if (range[0] >= range[1] || range[1] > covered) throw new Error("a DAG's range lies out of bounds");
      ranges.push(range);
    }
    dags.set(root, ranges);
  }
  return { generation, covered, blocks: blockPlaces(savedPlaces), dags };
}

/**
 * The ranges of `blocks.car` holding these blocks' sections, adjacent sections joined: what reads a DAG
 * back in a few reads. Blocks not in the cache are left out.
 */
export function rangesOf(cids: Iterable<CID>, blocks: BlockPlaces): Range[] {
  const spans: [number, number][] = [];
  for (const cid of cids) {
    const place = blocks.get(cid);
    if (place) spans.push([place.offset - place.head, place.offset + place.length]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const joined: [number, number][] = [];
  for (const span of spans) {
    const last = joined.at(-1);
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else joined.push(span);
  }
  return joined;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function count(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new Error(`${what} is not a count`);
  return value as number;
}
