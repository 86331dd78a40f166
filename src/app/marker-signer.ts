import { createHmac, createPrivateKey, hkdfSync, timingSafeEqual } from "node:crypto";
import {
  type InboxIssueMarker,
  parseInboxIssueMarker,
  withInboxSignature,
} from "../render/inbox-issue-markdown.js";
import { splitSignature, withSignature } from "../render/marker.js";

/** Where a comment stands: a signature made for one issue does not verify on another. */
export interface CommentPlace {
  readonly owner: string;
  readonly repo: string;
  readonly issueNumber: number;
}

/** A repository: an inbox issue's signature is made for one (its number is not known when it is signed). */
export interface RepositoryPlace {
  readonly owner: string;
  readonly repo: string;
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
  /**
   * An inbox issue's body (`renderInboxIssue`'s, its marker unsigned) with its marker signed for
   * `repository`: over the key and the target the marker names (docs/decisions.md, "The inbox issue's
   * marker is signed").
   */
  signInboxIssue(body: string, repository: RepositoryPlace): string;
  /** The key and target an inbox issue's marker names, when its signature is this signer's for `repository`. */
  readInboxIssue(body: string | null | undefined, repository: RepositoryPlace): InboxIssueMarker | undefined;
}

/** Fixed labels: the key serves this purpose alone, and a signed text cannot stand for another use's. */
const KEY_INFO = "nomad-patch comment signature v1";
const MESSAGE_LABEL = "nomad-patch comment v1";
const INBOX_LABEL = "nomad-patch inbox issue v1";

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
  // Only what the marker says, not the body around it: a maintainer may edit the issue's text, and what
  // the bridge decides by (which key, which target) is all in the marker.
  const inboxMac = (marker: InboxIssueMarker, repository: RepositoryPlace) =>
    createHmac("sha256", key)
      .update(
        `${INBOX_LABEL}\n${repository.owner.toLowerCase()}/${repository.repo.toLowerCase()}\n${marker.key}\n${marker.target}`,
      )
      .digest();
  return {
    signInboxIssue(body, repository) {
      const marker = parseInboxIssueMarker(body);
      if (!marker || marker.sig !== undefined)
        throw new Error("nomad-patch: an inbox issue to sign must carry one unsigned inbox marker");
      return withInboxSignature(body, inboxMac(marker, repository).toString("base64url"));
    },
    readInboxIssue(body, repository) {
      const marker = parseInboxIssueMarker(body?.replace(/\r\n/g, "\n"));
      if (marker?.sig === undefined) return undefined;
      const given = Buffer.from(marker.sig, "base64url");
      const expected = inboxMac(marker, repository);
      if (given.toString("base64url") !== marker.sig) return undefined;
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      return { key: marker.key, target: marker.target };
    },
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
