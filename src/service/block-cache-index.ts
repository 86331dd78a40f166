import { createHash } from "node:crypto";
import type { CID } from "multiformats/cid";

/**
 * The disk block cache's index (`blocks.index` beside `blocks.car`), saved so that opening the cache reads
 * one small file instead of parsing and hashing every block it holds. It says where each block's bytes
 * are, and which byte ranges hold each DAG a prefetch read whole. It is a hint, never a proof: every block
 * is still checked against its CID when it is read back. An index whose header fails any check here
 * (damaged, cut short, foreign, of another format, out of bounds) is refused whole and rebuilt from
 * `blocks.car`; a part that fails its own is refused alone, when it is first needed (`onDamagedPart`).
 *
 * Blocks are found by their SHA-256 digest (the cache keeps only sha2-256 blocks, and the digest is what
 * the bytes are checked against), in 256 parts by the digest's first byte. Opening checks the header only;
 * a part is checked (its checksum, every place's bounds, its digests' order) the first time a block is
 * looked up in it, and kept as one sorted buffer searched in place. A restart that reads 2 blocks by the
 * index checks 2 parts of 256, not 33,000 places (docs/benchmarks.md, "Target 2: a restart's own work").
 *
 * The file: the line `NomadPatchBlockIndex <format> <SHA-256 of the header, hex>`, the header (a 4-byte
 * length and that many bytes of JSON: `Generation`, `Covered`, `Count`, `Dags`, and `Parts`, 256 pairs
 * of the part's count and its checksum), then the parts in order, each its count of digests of 32 bytes
 * in ascending order, then as many places of 14 bytes (offset: float64, length: uint32, head: uint16;
 * little endian). A part's checksum is the SHA-256 of the generation, its number and its bytes, so a
 * part is this index's own, in its own place.
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
  /** `key`: the CID's `digestKeyOf`, when the caller has it already. */
  get(cid: CID, key?: string): Place | undefined;
  set(cid: CID, place: Place, key?: string): void;
  /** Blocks in the saved index (whether or not their parts are checked yet) and added since. */
  readonly size: number;
  /** Every block, by digest (one character per byte), for saving: every saved part is checked. */
  entries(): [string, Place][];
}

const MARK = "NomadPatchBlockIndex";
/** 3: in parts, each checked when first needed; an index of format 2 is refused and rebuilt. */
export const INDEX_FORMAT = 3;
const DIGEST = 32;
const PLACE = 14;
const ENTRY = DIGEST + PLACE;
/** Parts by a digest's first byte. */
export const INDEX_PARTS = 256;
/** A section's length varint (at most 9 bytes) and a CID (a few dozen bytes): anything longer is not a head. */
const MAX_HEAD = 256;
const MAX_HEADER_JSON = 16 * 1024 * 1024;

/** A digest as a string of one character per byte: a cheap key, ordered as the bytes are. */
const digestKey = (digest: Uint8Array) =>
  Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString("latin1");

/** A block's key in the index: its digest's (the cache keeps only sha2-256 blocks). */
export const digestKeyOf = (cid: CID): string => digestKey(cid.multihash.digest);

/** A part of the saved index as found: its bytes, unchecked until a block is looked up in it. */
interface SavedPart {
  readonly bytes: Buffer;
  readonly count: number;
  readonly checksum: string;
  /** Checked and fit for use; `null`: refused (its blocks are not found by it). */
  checked?: CheckedPart | null;
}

interface CheckedPart {
  readonly count: number;
  readonly digests: Buffer;
  readonly places: DataView;
}

interface Saved {
  readonly generation: string;
  readonly covered: number;
  readonly count: number;
  readonly parts: readonly SavedPart[];
  readonly maxBlockBytes: number;
  readonly onDamagedPart?: (part: number, reason: string) => void;
}

/** An empty set of places, or the saved one with nothing added. */
export function blockPlaces(saved?: Saved): BlockPlaces {
  const added = new Map<string, Place>();
  /** Blocks of the saved parts refused so far: not found by the index, nor counted in it. */
  let refused = 0;
  /** The part checked, once: a part refused is refused for good (its blocks are found again by `set`). */
  const partOf = (i: number): CheckedPart | undefined => {
    const part = saved?.parts[i];
    if (!part) return undefined;
    if (part.checked === undefined) {
      try {
        part.checked = checkPart(saved as Saved, i, part);
      } catch (error) {
        part.checked = null;
        refused += part.count;
        saved?.onDamagedPart?.(i, (error as Error).message);
      }
    }
    return part.checked ?? undefined;
  };
  return {
    get(cid, key) {
      const digest = cid.multihash.digest;
      if (digest.byteLength !== DIGEST) return undefined;
      const fromAdded = added.get(key ?? digestKey(digest));
      if (fromAdded) return fromAdded;
      const part = partOf(digest[0] as number);
      return part ? find(part, digest) : undefined;
    },
    set(cid, place, key) {
      added.set(key ?? digestKey(cid.multihash.digest), place);
    },
    get size() {
      return (saved?.count ?? 0) - refused + added.size;
    },
    entries() {
      const all = new Map<string, Place>();
      for (let p = 0; p < (saved?.parts.length ?? 0); p++) {
        const part = partOf(p);
        for (let i = 0; i < (part?.count ?? 0); i++) {
          const at = (part as CheckedPart).digests.subarray(i * DIGEST, (i + 1) * DIGEST);
          all.set(digestKey(at), placeAt(part as CheckedPart, i));
        }
      }
      for (const [key, place] of added) all.set(key, place);
      return [...all];
    },
  };
}

function placeAt(part: CheckedPart, i: number): Place {
  const at = i * PLACE;
  return {
    offset: part.places.getFloat64(at, true),
    length: part.places.getUint32(at + 8, true),
    head: part.places.getUint16(at + 12, true),
  };
}

/** Binary search of a part's sorted digests. */
function find(part: CheckedPart, digest: Uint8Array): Place | undefined {
  let low = 0;
  let high = part.count - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const order = part.digests.compare(digest, 0, DIGEST, mid * DIGEST, (mid + 1) * DIGEST);
    if (order === 0) return placeAt(part, mid);
    if (order < 0) low = mid + 1;
    else high = mid - 1;
  }
  return undefined;
}

/**
 * Part `i` checked: its checksum (this index's generation, this part's number, its bytes), every place
 * within the bytes the index covers and a block's bounds, its digests in order and each of this part.
 * Anything else throws, saying why.
 */
function checkPart(saved: Saved, i: number, part: SavedPart): CheckedPart {
  if (partChecksum(saved.generation, i, part.bytes) !== part.checksum)
    throw new Error("its checksum does not match: damaged, or another index's");
  const digests = part.bytes.subarray(0, part.count * DIGEST);
  const places = new DataView(
    part.bytes.buffer,
    part.bytes.byteOffset + part.count * DIGEST,
    part.count * PLACE,
  );
  const checked = { count: part.count, digests, places };
  for (let at = 0; at < part.count; at++) {
    const place = placeAt(checked, at);
    if (
      !Number.isSafeInteger(place.offset) ||
      place.head === 0 ||
      place.head > MAX_HEAD ||
      place.head > place.offset
    )
      throw new Error("a block's section starts out of bounds");
    if (place.length > saved.maxBlockBytes || place.offset + place.length > saved.covered)
      throw new Error("a block lies out of bounds");
    if (digests[at * DIGEST] !== i) throw new Error("a block of another part");
    if (
      at > 0 &&
      digests.compare(digests, at * DIGEST, (at + 1) * DIGEST, (at - 1) * DIGEST, at * DIGEST) >= 0
    )
      throw new Error("its digests are not in order");
  }
  return checked;
}

function partChecksum(generation: string, i: number, bytes: Uint8Array): string {
  return createHash("sha256").update(`${MARK}Part ${generation} ${i}\n`).update(bytes).digest("hex");
}

export function encodeIndex(index: BlockIndex): Uint8Array {
  const entries = index.blocks.entries().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const parts: Buffer[] = [];
  for (let p = 0, from = 0; p < INDEX_PARTS; p++) {
    let to = from;
    while (to < entries.length && (entries[to] as [string, Place])[0].charCodeAt(0) === p) to++;
    const part = Buffer.alloc((to - from) * ENTRY);
    const placesAt = (to - from) * DIGEST;
    for (let i = 0; i < to - from; i++) {
      const [key, place] = entries[from + i] as [string, Place];
      part.write(key, i * DIGEST, "latin1");
      const at = placesAt + i * PLACE;
      part.writeDoubleLE(place.offset, at);
      part.writeUInt32LE(place.length, at + 8);
      part.writeUInt16LE(place.head, at + 12);
    }
    parts.push(part);
    from = to;
  }
  const json = Buffer.from(
    JSON.stringify({
      Generation: index.generation,
      Covered: index.covered,
      Count: entries.length,
      Dags: [...index.dags].map(([root, ranges]) => [root, ranges.flat()]),
      Parts: parts.map((part, p) => [part.length / ENTRY, partChecksum(index.generation, p, part)]),
    }),
  );
  const header = Buffer.alloc(4 + json.length);
  header.writeUInt32LE(json.length, 0);
  json.copy(header, 4);
  const line = Buffer.from(`${MARK} ${INDEX_FORMAT} ${sha256(header)}\n`);
  return Buffer.concat([line, header, ...parts]);
}

/**
 * The index in `bytes`, its header checked: its mark and format, its checksum, every field's type, the
 * parts' counts adding up to the bytes after it, and every DAG's ranges within the bytes it covers.
 * Anything else throws, saying why. The parts are checked when first needed: one that fails is told to
 * `onDamagedPart` and not used.
 */
export function decodeIndex(
  bytes: Uint8Array,
  limits: {
    readonly maxBlockBytes: number;
    readonly onDamagedPart?: (part: number, reason: string) => void;
  },
): BlockIndex {
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const newline = file.indexOf(0x0a);
  const [mark, format, checksum] = file.toString("latin1", 0, Math.max(newline, 0)).split(" ");
  if (mark !== MARK) throw new Error("not this cache's index");
  if (format !== String(INDEX_FORMAT)) throw new Error(`an index of format ${format}, not ${INDEX_FORMAT}`);
  const body = file.subarray(newline + 1);
  const headerLength = body.length >= 4 ? body.readUInt32LE(0) : Infinity;
  if (headerLength > Math.min(MAX_HEADER_JSON, body.length - 4)) throw new Error("its header is cut short");
  if (checksum !== sha256(body.subarray(0, 4 + headerLength)))
    throw new Error("its checksum does not match: damaged or cut short");
  const saved = JSON.parse(body.toString("utf8", 4, 4 + headerLength)) as Record<string, unknown>;
  const generation = saved.Generation;
  if (typeof generation !== "string") throw new Error("no generation");
  const covered = count(saved.Covered, "Covered");
  const blockCount = count(saved.Count, "Count");
  if (!Array.isArray(saved.Parts) || saved.Parts.length !== INDEX_PARTS)
    throw new Error(`Parts is not a list of ${INDEX_PARTS}`);
  const parts: SavedPart[] = [];
  let at = 4 + headerLength;
  for (const item of saved.Parts as unknown[]) {
    const [partCount, sum] = Array.isArray(item) ? item : [];
    // A count larger than the bytes left is refused before it is multiplied or added.
    if (count(partCount, "a part's count") > (body.length - at) / ENTRY || typeof sum !== "string")
      throw new Error("a part is not a count within the file and a checksum");
    parts.push({
      bytes: body.subarray(at, at + partCount * ENTRY),
      count: partCount,
      checksum: sum,
    });
    at += partCount * ENTRY;
  }
  if (at !== body.length || parts.reduce((n, p) => n + p.count, 0) !== blockCount)
    throw new Error("cut short or too long: its length does not match its parts");
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
  const blocks = blockPlaces({
    generation,
    covered,
    count: blockCount,
    parts,
    maxBlockBytes: limits.maxBlockBytes,
    onDamagedPart: limits.onDamagedPart,
  });
  return { generation, covered, blocks, dags };
}

/** The part of the index a block's places are kept in (for rebuilding a refused part). */
export function partOfBlock(cid: CID): number | undefined {
  const digest = cid.multihash.digest;
  return digest.byteLength === DIGEST ? digest[0] : undefined;
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
