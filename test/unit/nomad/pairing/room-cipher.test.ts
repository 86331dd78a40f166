import { describe, expect, it } from "vitest";
import { PeerRoomState } from "../../../../src/nomad/pairing/peer-room.js";
import { deriveRoomKey, roomCipher } from "../../../../src/nomad/pairing/room-cipher.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, "hex"));
const utf8 = (text: string) => new TextEncoder().encode(text);

/*
 * Known answers computed outside the project, with OpenSSL 3.0 on the command line, for the code "a1b23f9c"
 * as the C# tests split it (room "a1b2", password "3f9c"):
 *   openssl kdf -keylen 48 -kdfopt digest:SHA1 -kdfopt pass:3f9c -kdfopt salt:a1b2 -kdfopt iter:2000 PBKDF2
 *   (python3: hashlib.pbkdf2_hmac('sha1', b'3f9c', b'a1b2', 2000, 48).hex() gives the same bytes)
 *   K=<bytes 0-31>; IV=<bytes 32-47>
 *   printf 'Nomad.Storage.Roaming.Docs' | openssl enc -aes-256-cbc -K $K -iv $IV | xxd -p
 *   printf '' | openssl enc -aes-256-cbc -K $K -iv $IV | xxd -p
 *   printf 'k51qzi5uqu5dk5ijzrk0tdlwv8kga7rms4fvyasddrlty9jyeshp7ewzdvrh01' | openssl enc -aes-256-cbc -K $K -iv $IV | xxd -p
 *   openssl kdf -keylen 48 -kdfopt digest:SHA1 -kdfopt pass:pässwörd -kdfopt salt:räum -kdfopt iter:2000 PBKDF2
 *   (UTF-8 terminal: the password and salt bytes are UTF-8, as .NET's Rfc2898DeriveBytes takes them)
 */
const PBKDF2_A1B2_3F9C =
  "d9c93412b7c821bda6a5e82cd0602b63948c0774b7daec05728ce5a79e9255ebf24e2decd6d7d56d625223d799f21aaa";
const HEARTBEAT_CIPHERTEXT = "540479bc458ba4289ce887bc0711cd542b759bafe1d2f258305cf06076e9a9af";
const EMPTY_CIPHERTEXT = "62661246ab4251efc80b6e0f9e476caf";
const KEY_ID_CIPHERTEXT =
  "97cea4ff111aee7d307c72f3f7cf3fd6f1b66326ae33c8c3300b5fd7eb863d60" +
  "b4424ac8507858e4e1e53e895b2b2dfc4de6905165e3b6f6ee9dd3176675ade8";
const PBKDF2_UTF8 =
  "3465846e53bde2f4cc1fad95b69085aa81e1b3432d2a01757b319b636b704895c1d5019b3eff06785faa850336304907";

describe("the pairing room cipher (AesPasswordEncryptedPubSub)", () => {
  it("derives key and IV as bytes 0-31 and 32-47 of PBKDF2-HMAC-SHA1, 2000 iterations, salt = room", () => {
    const { key, iv } = deriveRoomKey("3f9c", "a1b2");
    expect(hex(key) + hex(iv)).toBe(PBKDF2_A1B2_3F9C);
    const utf8Key = deriveRoomKey("pässwörd", "räum");
    expect(hex(utf8Key.key) + hex(utf8Key.iv)).toBe(PBKDF2_UTF8);
  });

  it("encrypts with AES-256-CBC and PKCS7 padding, no IV prefix, exactly as OpenSSL does", () => {
    const cipher = roomCipher("3f9c", "a1b2");
    expect(hex(cipher.encrypt(utf8("Nomad.Storage.Roaming.Docs")))).toBe(HEARTBEAT_CIPHERTEXT);
    expect(hex(cipher.encrypt(new Uint8Array()))).toBe(EMPTY_CIPHERTEXT);
    expect(hex(cipher.encrypt(utf8("k51qzi5uqu5dk5ijzrk0tdlwv8kga7rms4fvyasddrlty9jyeshp7ewzdvrh01")))).toBe(
      KEY_ID_CIPHERTEXT,
    );
  });

  it("decodes a heartbeat OpenSSL encrypted, and a room with that heartbeat lets its sender join", () => {
    const plaintext = roomCipher("3f9c", "a1b2").decrypt(fromHex(HEARTBEAT_CIPHERTEXT));
    expect(new TextDecoder().decode(plaintext)).toBe("Nomad.Storage.Roaming.Docs");
    const room = new PeerRoomState("12D3KooWself", 2000, "Nomad.Storage.Roaming.Docs");
    expect(room.receive("12D3KooWother", plaintext!, 0)).toEqual({
      kind: "heartbeat",
      peer: "12D3KooWother",
      joined: true,
    });
  });

  it("drops what another password or no encryption produced", () => {
    expect(roomCipher("3f9d", "a1b2").decrypt(fromHex(HEARTBEAT_CIPHERTEXT))).toBeUndefined();
    expect(roomCipher("3f9c", "a1b3").decrypt(fromHex(HEARTBEAT_CIPHERTEXT))).toBeUndefined();
    expect(roomCipher("3f9c", "a1b2").decrypt(utf8("Nomad.Storage.Roaming.Docs"))).toBeUndefined();
    expect(roomCipher("3f9c", "a1b2").decrypt(new Uint8Array())).toBeUndefined();
  });
});
