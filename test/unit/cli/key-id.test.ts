import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseIpnsName } from "../../../src/nomad/index.js";
import { keyIdOfPrivateKey } from "../../../src/service/init-device.js";

/** An Ed25519 key in libp2p protobuf form: Type 1, Data = 32-byte seed then 32-byte public key. */
function libp2pPrivateKey(): { bytes: Uint8Array; publicKey: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const seed = privateKey.export({ format: "der", type: "pkcs8" }).subarray(-32);
  const pub = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return { bytes: new Uint8Array([0x08, 0x01, 0x12, 0x40, ...seed, ...pub]), publicKey: pub };
}

describe("the IPNS name of an exported key", () => {
  it("is the base36 libp2p-key CID of the public key, which parses as an IPNS name", () => {
    const { bytes } = libp2pPrivateKey();
    const id = keyIdOfPrivateKey(bytes);
    expect(id).toMatch(/^k51qzi5uqu5/);
    expect(parseIpnsName(id)).toBe(id);
    expect(keyIdOfPrivateKey(libp2pPrivateKey().bytes)).not.toBe(id);
  });

  it("refuses anything but an Ed25519 protobuf key", () => {
    const { bytes } = libp2pPrivateKey();
    expect(() => keyIdOfPrivateKey(bytes.subarray(0, 40))).toThrow(/Ed25519/);
    expect(() => keyIdOfPrivateKey(new Uint8Array([0x08, 0x00, ...bytes.subarray(2)]))).toThrow(/Ed25519/);
  });
});
