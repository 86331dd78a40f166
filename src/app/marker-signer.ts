import { createHmac, createPrivateKey, hkdfSync, timingSafeEqual } from "node:crypto";
import { splitSignature, withSignature } from "../render/marker.js";

/** Where a comment stands: a signature made for one issue does not verify on another. */
export interface CommentPlace {
  readonly owner: string;
  readonly repo: string;
  readonly issueNumber: number;
}

/**
 * Signs the comments the bot writes and checks the ones it reads back (docs/decisions.md, "The bot's
 * comments are signed"). Anyone with write access can edit the bot's comments, and GitHub does not say
 * who last did, so a marker is trusted only when its signature verifies: made with a key only the app
 * has, over the whole comment (the marker and the text a reader sees), for this repository and issue.
 * Pure: no I/O, the same answer for the same input.
 */
export interface MarkerSigner {
  /** `body` (a comment as rendered, its marker unsigned) with its signature; a body without a marker as it is. */
  sign(body: string, place: CommentPlace): string;
  /** True when `body` carries a signature this signer made for `place`, over exactly this text. */
  verify(body: string, place: CommentPlace): boolean;
}

/** Fixed labels: the key serves this purpose alone, and a signed text cannot stand for another use's. */
const KEY_INFO = "nomad-patch comment signature v1";
const MESSAGE_LABEL = "nomad-patch comment v1";

/**
 * The signer of a GitHub App: its key is derived (HKDF-SHA256) from the app's private key, which the app
 * always has and a person with write access never does. Nothing is kept on disk, so a lost data
 * directory loses no trust; a new private key makes every earlier signature fail (docs/operator-guide.md).
 * The key is read in its DER form, so the same key in PKCS#1 or PKCS#8 PEM derives the same secret.
 */
export function appMarkerSigner(privateKeyPem: string): MarkerSigner {
  const der = createPrivateKey(privateKeyPem).export({ type: "pkcs8", format: "der" });
  return markerSigner(Buffer.from(hkdfSync("sha256", der, Buffer.alloc(0), KEY_INFO, 32)));
}

/** A signer over a secret of at least 32 bytes (`appMarkerSigner` derives one). */
export function markerSigner(secret: Uint8Array): MarkerSigner {
  if (secret.length < 32)
    throw new Error("nomad-patch: a comment-signing secret must have at least 32 bytes");
  const key = Buffer.from(secret);
  const mac = (unsigned: string, place: CommentPlace) =>
    createHmac("sha256", key)
      // Owner and repository are case-insensitive on GitHub: the same issue must give the same message.
      .update(
        `${MESSAGE_LABEL}\n${place.owner.toLowerCase()}/${place.repo.toLowerCase()}#${place.issueNumber}\n`,
      )
      // Whitespace at the very end is not signed: an editor or GitHub trimming or adding a final newline
      // changes nothing a reader sees, and must not void the bot's comment.
      .update(unsigned.trimEnd())
      .digest();
  return {
    sign(body, place) {
      const { unsigned } = splitSignature(body);
      return withSignature(unsigned, mac(unsigned, place).toString("base64url"));
    },
    verify(body, place) {
      const { unsigned, sig } = splitSignature(body);
      if (sig === undefined) return false;
      const given = Buffer.from(sig, "base64url");
      const expected = mac(unsigned, place);
      // Only the one spelling the signer writes: base64url's spare bits give every MAC four more.
      if (given.toString("base64url") !== sig) return false;
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
