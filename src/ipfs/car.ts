import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";
import { DecodeError, LimitExceededError } from "../errors.js";
import { decodeCidFirst } from "./cid-decoding.js";

/** One block: its CID and its bytes (what a CAR section holds). */
export interface Block {
  readonly cid: CID;
  readonly bytes: Uint8Array;
}

/** A block read from a CAR stream, with where its bytes start in the stream. */
export interface CarBlock extends Block {
  readonly offset: number;
}

/** A CARv1 header is a tiny DAG-CBOR map ({ roots, version }); anything larger is not a CAR. */
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * A CARv1 stream (https://ipld.io/specs/transport/car/carv1/, what `dag/import` reads and `dag/export`
 * writes): varint(length) · DAG-CBOR header naming the roots, then each block as
 * varint(length) · CID bytes · block bytes.
 */
export function encodeCar(roots: readonly CID[], blocks: readonly Block[]): Uint8Array {
  const header = dagCbor.encode({ roots: [...roots], version: 1 });
  // Sized first and written in place: the disk cache encodes every block of a cold review this way, and
  // a small array per varint and per part cost more than the copies.
  let total = varintLength(header.length) + header.length;
  for (const { cid, bytes } of blocks) {
    const section = cid.bytes.length + bytes.length;
    total += varintLength(section) + section;
  }
  const out = new Uint8Array(total);
  let offset = writeVarint(out, 0, header.length);
  out.set(header, offset);
  offset += header.length;
  for (const { cid, bytes } of blocks) {
    offset = writeVarint(out, offset, cid.bytes.length + bytes.length);
    out.set(cid.bytes, offset);
    offset += cid.bytes.length;
    out.set(bytes, offset);
    offset += bytes.length;
  }
  return out;
}

function varintLength(value: number): number {
  let length = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 128)) length++;
  return length;
}

/** Writes `value` as an unsigned LEB128 varint at `at`; returns where it ends. */
function writeVarint(out: Uint8Array, at: number, value: number): number {
  let rest = value;
  let offset = at;
  while (rest >= 0x80) {
    out[offset++] = (rest & 0x7f) | 0x80;
    rest = Math.floor(rest / 128);
  }
  out[offset++] = rest;
  return offset;
}

/**
 * Reads a CARv1 stream as it arrives, yielding each block (not yet hash-checked: the caller checks it
 * against its CID). A section longer than `maxSectionBytes` or a header that is not CARv1 is refused.
 * With `from`, the stream is a CAR's sections only, starting at that offset of it (its header read
 * before): the offsets yielded are the CAR's.
 */
export async function* readCar(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  limits: CarReaderLimits,
): AsyncGenerator<CarBlock> {
  const reader = new CarReader(limits);
  for await (const chunk of chunks) {
    reader.push(chunk);
    for (let block = reader.next(); block; block = reader.next()) yield block;
  }
  reader.end();
}

export interface CarReaderLimits {
  readonly maxSectionBytes: number;
  readonly from?: number;
}

/**
 * `readCar` without a promise per block: the chunks are pushed in as they arrive and the blocks they
 * complete are taken out with `next()` until it returns undefined, before the next chunk is pushed.
 * An export of 33,000 blocks otherwise resumes an async generator once per block (docs/benchmarks.md).
 */
export class CarReader {
  private buffer: Uint8Array = new Uint8Array(0);
  /** Where `buffer` starts in the stream. */
  private base: number;
  private offset = 0;
  private headerRead: boolean;
  // Kubo writes an export in small pieces (a byte to a few KiB): chunks that cannot finish the section
  // being read wait here and are joined once it can, so each byte is copied a bounded number of times
  // instead of once per chunk of a large block.
  private waiting: Uint8Array[] = [];
  private waitingBytes = 0;
  /** Bytes needed past `offset` before the next section can be read (1: its length is not known yet). */
  private needed = 1;

  constructor(private readonly limits: CarReaderLimits) {
    this.base = limits.from ?? 0;
    this.headerRead = limits.from !== undefined;
  }

  /** The next piece of the stream (every block of the pieces before taken out with `next`). */
  push(chunk: Uint8Array): void {
    if (this.buffer.length - this.offset + this.waitingBytes + chunk.length < this.needed) {
      this.waiting.push(chunk);
      this.waitingBytes += chunk.length;
      return;
    }
    this.base += this.offset;
    this.buffer = joinAll(this.buffer.subarray(this.offset), this.waiting, chunk);
    this.waiting = [];
    this.waitingBytes = 0;
    this.offset = 0;
    this.needed = 0;
  }

  /** The next whole block pushed in, or undefined until more of the stream arrives. */
  next(): CarBlock | undefined {
    // Set while the stream has too few bytes for the next section: only `push` can change that.
    if (this.needed > 0) return undefined;
    const buffer = this.buffer;
    for (;;) {
      const offset = this.offset;
      const length = readVarint(buffer, offset);
      if (!length) {
        this.needed = buffer.length - offset + 1;
        return undefined;
      }
      const max = this.headerRead ? this.limits.maxSectionBytes : MAX_HEADER_BYTES;
      if (length.value > max)
        throw new LimitExceededError(`a CAR section of ${length.value} bytes is over the limit of ${max}`);
      const end = length.next + length.value;
      if (end > buffer.length) {
        this.needed = end - offset;
        return undefined;
      }
      const section = buffer.subarray(length.next, end);
      this.offset = end;
      if (!this.headerRead) {
        checkHeader(section);
        this.headerRead = true;
        continue;
      }
      return splitSection(section, this.base + end);
    }
  }

  /** The stream has ended: refused unless it ended between two sections, after its header. */
  end(): void {
    if (this.offset < this.buffer.length || this.waitingBytes > 0 || !this.headerRead)
      throw new DecodeError("the CAR stream ended in the middle");
  }
}

function checkHeader(bytes: Uint8Array): void {
  let header: unknown;
  try {
    header = dagCbor.decode(bytes);
  } catch (cause) {
    throw new DecodeError("not a CAR stream: unreadable header", undefined, { cause });
  }
  const { version, roots } = (header ?? {}) as { version?: unknown; roots?: unknown };
  if (version !== 1 || !Array.isArray(roots)) throw new DecodeError("not a CARv1 stream");
}

/** A section's CID and a copy of its bytes; `end` is where the section ends in the stream. */
function splitSection(section: Uint8Array, end: number): CarBlock {
  let decoded: [CID, Uint8Array];
  try {
    decoded = decodeCidFirst(section);
  } catch (cause) {
    throw new DecodeError("a CAR section does not start with a CID", undefined, { cause });
  }
  const [cid, bytes] = decoded;
  // A copy, so a cached block does not keep the whole network chunk it arrived in alive.
  return { cid, bytes: bytes.slice(), offset: end - bytes.byteLength };
}

/** The rest of the buffer and the chunks that arrived after it, as one array (no copy when one is all). */
function joinAll(rest: Uint8Array, waiting: readonly Uint8Array[], last: Uint8Array): Uint8Array {
  if (rest.length === 0 && waiting.length === 0) return last;
  const out = new Uint8Array(rest.length + waiting.reduce((n, c) => n + c.length, 0) + last.length);
  let at = 0;
  for (const part of [rest, ...waiting, last]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** An unsigned LEB128 varint at `at`, or undefined when the buffer ends before it does. */
function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length; i++) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return { value, next: i + 1 };
    scale *= 128;
    if (i - at >= 8) throw new DecodeError("a CAR section length is not a valid varint");
  }
  return undefined;
}

/** An unsigned LEB128 varint (CAR sections, protobuf fields). */
export function varint(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return new Uint8Array(bytes);
}
