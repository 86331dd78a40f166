import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";
import { cborHeadLength, cborLinkLength } from "./cbor-lengths.js";
import { type EventStream, encodeEventStream } from "./event-stream.js";

/**
 * How large a device's event stream is as the C# data model encodes it (`encodeEventStream`), measured once
 * when the stream is read, so that the size it would have with more entries appended is arithmetic: no
 * decoding of its (possibly 10,000) links and no encoding of a grown copy per review.
 */
export interface EventStreamSize {
  /** The stream block measured. */
  readonly cid: CID;
  readonly entries: number;
  /** `dagCbor.encode(encodeEventStream(stream))`'s length. */
  readonly bytes: number;
  /** The encoded size of one more link like its last entry's (0 without entries). */
  readonly linkBytes: number;
}

export function measureEventStream(cid: CID, stream: EventStream): EventStreamSize {
  const last = stream.entries.at(-1);
  return {
    cid,
    entries: stream.entries.length,
    bytes: dagCbor.encode(encodeEventStream(stream)).byteLength,
    linkBytes: last ? cborLinkLength(last) : 0,
  };
}

/**
 * The encoded size of the stream with `added` more links of its last entry's size: the list's head grows
 * with its length (DAG-CBOR's major type 4: 1, 2, 3, 5 or 9 bytes) and each link is tag 42 over a byte
 * string of a 0x00 prefix and the CID's bytes (RFC 8949 §3; the IPLD DAG-CBOR spec's links).
 */
export function grownEventStreamBytes(size: EventStreamSize, added: number): number {
  return (
    size.bytes + added * size.linkBytes + cborHeadLength(size.entries + added) - cborHeadLength(size.entries)
  );
}
