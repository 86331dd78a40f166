import { randomBytes } from "node:crypto";
import { UsageError } from "../../errors.js";

/** A pairing room: the pubsub topic (plain text on the wire) and the password its messages are encrypted with. */
export interface PairCode {
  readonly room: string;
  readonly password: string;
}

/** The roaming private key crosses the room, so a code must resist an offline guess at its password. */
export const STRONG_PASSWORD_BITS = 128;

const ROOM_CHARS = 8;
const PASSWORD_CHARS = 26;
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/**
 * Reads a pair code in either form:
 * - `room-password` (what nomad-patch prints), split at the first `-`;
 * - the C# form with no `-`: OwlCore's pairing tests take the first 8 hex digits of a GUID and use the first
 *   4 characters as the room and the rest as the password (OwlCore.Nomad.Storage.Kubo:tests/KuboNomadFolderTests.Pair.cs).
 */
export function parsePairCode(code: string): PairCode {
  const trimmed = code.trim();
  const dash = trimmed.indexOf("-");
  const room = dash >= 0 ? trimmed.slice(0, dash) : trimmed.slice(0, 4);
  const password = dash >= 0 ? trimmed.slice(dash + 1) : trimmed.slice(4);
  if (room === "" || password === "" || /\s/.test(trimmed)) {
    throw new UsageError(
      "A pair code is `room-password`, or 8 characters as the C# apps make them (room = the first 4); " +
        "or pass --room and --password",
    );
  }
  return { room, password };
}

export function formatPairCode(code: PairCode): string {
  return `${code.room}-${code.password}`;
}

/** A fresh code: a 40-bit room (to keep strangers apart) and a 130-bit password, lower-case base32. */
export function generatePairCode(random: (bytes: number) => Uint8Array = randomBytes): PairCode {
  return { room: randomText(ROOM_CHARS, random), password: randomText(PASSWORD_CHARS, random) };
}

/**
 * An upper bound on the bits an offline guesser must try: length × log2(the smallest alphabet of the
 * character classes used). The C# tests' 4 hex digits give 16 bits, found in milliseconds.
 */
export function passwordStrengthBits(password: string): number {
  const chars = [...password];
  let alphabet = 95;
  if (chars.every((c) => /[0-9]/.test(c))) alphabet = 10;
  else if (chars.every((c) => /[0-9a-f]/.test(c)) || chars.every((c) => /[0-9A-F]/.test(c))) alphabet = 16;
  else if (chars.every((c) => /[0-9a-z]/.test(c)) || chars.every((c) => /[0-9A-Z]/.test(c))) alphabet = 36;
  else if (chars.every((c) => /[0-9A-Za-z]/.test(c))) alphabet = 62;
  return Math.floor(chars.length * Math.log2(alphabet));
}

/** Each character takes 5 bits of its own byte: no modulo bias, simple to check. */
function randomText(length: number, random: (bytes: number) => Uint8Array): string {
  const bytes = random(length);
  let text = "";
  for (let i = 0; i < length; i++) text += BASE32[(bytes[i] ?? 0) & 31];
  return text;
}
