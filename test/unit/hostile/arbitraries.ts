import fc from "fast-check";
import { base36 } from "multiformats/bases/base36";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { identity } from "multiformats/hashes/identity";
import type { IpldValue } from "../../../src/nomad/index.js";
import { formatTimestamp } from "../../../src/nomad/index.js";

/** A DAG-CBOR CID over a random sha2-256 digest: a well-formed link to a block nobody has. */
export const cidArb: fc.Arbitrary<CID> = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((bytes) => CID.createV1(0x71, Digest.create(0x12, bytes)));

/** A well-formed Ed25519 IPNS name in base36 (`k51…`): a libp2p-key CID of an identity multihash. */
export const ipnsNameArb: fc.Arbitrary<string> = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((key) => {
    // The libp2p protobuf of an Ed25519 public key: type 1 (Ed25519), 32 bytes of key.
    const proto = new Uint8Array([0x08, 0x01, 0x12, 0x20, ...key]);
    return CID.createV1(0x72, identity.digest(proto)).toString(base36);
  });

/** Every kind of IPLD value, nested a little: what a hostile block can decode to. */
export const ipldArb: fc.Arbitrary<IpldValue> = fc.letrec<{ value: IpldValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 40 }),
    fc.uint8Array({ maxLength: 16 }),
    cidArb,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** Timestamps as Newtonsoft writes them, over the whole range .NET allows (years 0001–9999). */
export const ticksArb = fc.bigInt({ min: -621_355_968_000_000_000n, max: 2_534_023_007_999_999_999n });
export const timestampArb = ticksArb.map(formatTimestamp);

/** Strings that look almost like timestamps: the regular form with one part bent. */
export const nearTimestampArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 0, max: 10_000 }),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 25 }),
    fc.integer({ min: 0, max: 61 }),
    fc.integer({ min: 0, max: 61 }),
    fc.stringMatching(/^(\.\d{0,9})?$/),
    fc.constantFrom("Z", "", "+00:00", "-05:30", "+14:00", "+99:99", "z", " Z"),
  )
  .map(
    ([y, mo, d, h, mi, s, frac, zone]) =>
      `${String(y).padStart(4, "0")}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${frac}${zone}`,
  );

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * A map with a record's field names and values that are sometimes right and sometimes anything: it
 * reaches deeper into a decoder than a random value, which fails at the first field.
 */
export function nearRecord(fields: Readonly<Record<string, fc.Arbitrary<unknown>>>): fc.Arbitrary<unknown> {
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, valid] of Object.entries(fields)) record[name] = fc.oneof(valid, valid, ipldArb);
  return fc.record(record, { requiredKeys: [] });
}
