import { createCipheriv, createDecipheriv, pbkdf2Sync } from "node:crypto";

/**
 * The cipher of OwlCore.Kubo's `AesPasswordEncryptedPubSub` (OwlCore.Kubo:src/AesPasswordEncryptedPubSub.cs),
 * which Nomad's key exchange wraps around the pubsub room (OwlCore.Nomad.Kubo:src/KeyExchange.cs, salt = the
 * room name): `Rfc2898DeriveBytes(password, UTF-8(salt), 2000, SHA1)` read 32 bytes for the key, then 16 for the
 * IV, i.e. bytes 0–31 and 32–47 of one PBKDF2 output; `Aes.Create()` defaults, so AES-256-CBC with PKCS7
 * padding. Every message reuses that IV and has no MAC: the wire format is the C# apps', not a choice here.
 */
export interface RoomCipher {
  encrypt(plaintext: Uint8Array): Uint8Array;
  /** The plaintext, or `undefined` when the bytes were not encrypted with this password (C# drops those). */
  decrypt(ciphertext: Uint8Array): Uint8Array | undefined;
}

const ITERATIONS = 2000;

/** The 32-byte key and 16-byte IV for a password and salt (the room name). */
export function deriveRoomKey(password: string, salt: string): { key: Buffer; iv: Buffer } {
  const bytes = pbkdf2Sync(Buffer.from(password, "utf8"), Buffer.from(salt, "utf8"), ITERATIONS, 48, "sha1");
  return { key: bytes.subarray(0, 32), iv: bytes.subarray(32, 48) };
}

/** Derives once: the C# code derives per message, with the same result, so the work is done up front. */
export function roomCipher(password: string, salt: string): RoomCipher {
  const { key, iv } = deriveRoomKey(password, salt);
  return {
    encrypt(plaintext) {
      const cipher = createCipheriv("aes-256-cbc", key, iv);
      return new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final()]));
    },
    decrypt(ciphertext) {
      if (ciphertext.byteLength === 0 || ciphertext.byteLength % 16 !== 0) return undefined;
      try {
        const decipher = createDecipheriv("aes-256-cbc", key, iv);
        return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
      } catch {
        // A wrong password shows up as bad padding (and, 1 time in ~256, as garbage with valid padding,
        // which the room then ignores because it matches no heartbeat and no expected message).
        return undefined;
      }
    },
  };
}
