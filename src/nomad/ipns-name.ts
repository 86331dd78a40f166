import { base32 } from "multiformats/bases/base32";
import { base36 } from "multiformats/bases/base36";
import { base58btc } from "multiformats/bases/base58";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { DecodeError } from "../errors.js";

/** Multicodec of a libp2p public key, the codec of every IPNS name CID. */
export const LIBP2P_KEY_CODE = 0x72;
const IDENTITY_HASH = 0x00;

/** An IPNS name as Nomad stores and compares it: a base36 CIDv1 string, `k51…` for Ed25519 keys. */
export type IpnsName = string;

/**
 * Accept the forms people paste (`k51…`, base32 `bafzaa…`, `12D3KooW…` peer ids, `/ipns/…`,
 * `ipns://…`) and return the one form Nomad compares: base36 `k…`. Nomad compares names as strings, so
 * anything else would silently fail to match a TargetId or a source.
 */
export function parseIpnsName(input: string, where = "IPNS name"): IpnsName {
  const bare = stripPrefix(input.trim());
  if (bare === "" || /[\s/]/.test(bare)) throw refuse(input, where, "it is empty or has a path in it");
  return toLibp2pKeyCid(bare, input, where).toString(base36);
}

/** True when `input` is an IPNS name in any accepted form. */
export function isIpnsName(input: string): boolean {
  try {
    parseIpnsName(input);
    return true;
  } catch {
    return false;
  }
}

function stripPrefix(text: string): string {
  if (text.startsWith("/ipns/")) return text.slice("/ipns/".length).replace(/\/$/, "");
  if (text.toLowerCase().startsWith("ipns://")) return text.slice("ipns://".length).replace(/\/$/, "");
  return text;
}

function toLibp2pKeyCid(bare: string, input: string, where: string): CID {
  if (bare.startsWith("Qm")) {
    // An RSA peer id and a CIDv0 file look alike; Nomad keys are Ed25519, so this is most likely a file.
    throw refuse(input, where, "a Qm… string is a CIDv0 or an RSA peer id, and Nomad keys are Ed25519");
  }
  if (bare.startsWith("1")) {
    // A peer id: a base58btc identity multihash of the Ed25519 public key (`12D3KooW…`).
    let bytes: Uint8Array;
    try {
      bytes = base58btc.baseDecode(bare);
    } catch {
      throw refuse(input, where, "it is not valid base58");
    }
    const digest = decodeMultihash(bytes, input, where);
    return CID.createV1(LIBP2P_KEY_CODE, digest);
  }
  let cid: CID;
  try {
    cid = bare.startsWith("k")
      ? CID.parse(bare, base36)
      : bare.startsWith("b")
        ? CID.parse(bare, base32)
        : CID.parse(bare);
  } catch {
    throw refuse(input, where, "it is not a CID or a peer id");
  }
  if (cid.version !== 1 || cid.code !== LIBP2P_KEY_CODE) {
    throw refuse(input, where, `it is a CID of codec 0x${cid.code.toString(16)}, not a libp2p-key (0x72)`);
  }
  return cid;
}

function decodeMultihash(bytes: Uint8Array, input: string, where: string) {
  try {
    const digest = Digest.decode(bytes);
    if (digest.code === IDENTITY_HASH) return digest;
  } catch {
    // fall through to the refusal below
  }
  throw refuse(input, where, "it is not a peer id multihash");
}

function refuse(input: string, where: string, why: string): DecodeError {
  return new DecodeError(
    `Not an IPNS name: ${JSON.stringify(input)} (${why}); expected k51…, /ipns/k51…, ipns://k51…, 12D3KooW… or a base32 libp2p-key CID`,
    where,
  );
}
