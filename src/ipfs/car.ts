import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { DecodeError, LimitExceededError } from "../errors.js";

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
  const parts: Uint8Array[] = [varint(header.length), header];
  for (const { cid, bytes } of blocks) parts.push(varint(cid.bytes.length + bytes.length), cid.bytes, bytes);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Reads a CARv1 stream as it arrives, yielding each block (not yet hash-checked: the caller checks it
 * against its CID). A section longer than `maxSectionBytes` or a header that is not CARv1 is refused.
 * With `from`, the stream is a CAR's sections only, starting at that offset of it (its header read
 * before): the offsets yielded are the CAR's.
 */
export async function* readCar(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  limits: { readonly maxSectionBytes: number; readonly from?: number },
): AsyncGenerator<CarBlock> {
  let buffer: Uint8Array = new Uint8Array(0);
  /** Where `buffer` starts in the stream. */
  let base = limits.from ?? 0;
  let offset = 0;
  let headerRead = limits.from !== undefined;
  // Kubo writes an export in small pieces (a byte to a few KiB): chunks that cannot finish the section
  // being read wait here and are joined once it can, so each byte is copied a bounded number of times
  // instead of once per chunk of a large block.
  let waiting: Uint8Array[] = [];
  let waitingBytes = 0;
  /** Bytes needed past `offset` before the next section can be read (1: its length is not known yet). */
  let needed = 1;
  for await (const chunk of chunks) {
    if (buffer.length - offset + waitingBytes + chunk.length < needed) {
      waiting.push(chunk);
      waitingBytes += chunk.length;
      continue;
    }
    base += offset;
    buffer = joinAll(buffer.subarray(offset), waiting, chunk);
    waiting = [];
    waitingBytes = 0;
    offset = 0;
    for (;;) {
      const length = readVarint(buffer, offset);
      if (!length) {
        needed = buffer.length - offset + 1;
        break;
      }
      const max = headerRead ? limits.maxSectionBytes : MAX_HEADER_BYTES;
      if (length.value > max)
        throw new LimitExceededError(`a CAR section of ${length.value} bytes is over the limit of ${max}`);
      const end = length.next + length.value;
      if (end > buffer.length) {
        needed = end - offset;
        break;
      }
      const section = buffer.subarray(length.next, end);
      offset = end;
      if (!headerRead) {
        checkHeader(section);
        headerRead = true;
        continue;
      }
      const block = splitSection(section);
      yield { ...block, offset: base + end - block.bytes.byteLength };
    }
  }
  if (offset < buffer.length || waitingBytes > 0 || !headerRead)
    throw new DecodeError("the CAR stream ended in the middle");
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

function splitSection(section: Uint8Array): Block {
  let decoded: [CID, Uint8Array];
  try {
    decoded = CID.decodeFirst(section);
  } catch (cause) {
    throw new DecodeError("a CAR section does not start with a CID", undefined, { cause });
  }
  const [cid, bytes] = decoded;
  // A copy, so a cached block does not keep the whole network chunk it arrived in alive.
  return { cid, bytes: bytes.slice() };
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
