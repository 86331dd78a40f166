import { describe, expect, it } from "vitest";
import { findKeys, isPatchLabelled } from "../../../src/app/find-keys.js";

// One Ed25519 key in each form people paste: base36, /ipns/, ipns://, peer id, base32 libp2p-key CID.
const K = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";
const PEER = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

describe("findKeys", () => {
  it("finds every accepted form and gives the base36 form", () => {
    const text = `see /ipns/${K}\nand ipns://${K} and \`${PEER}\``;
    const found = findKeys(text, { offered: false, max: 5 });
    expect(found.map((f) => f.key)).toHaveLength(2);
    expect(found[0]).toEqual({ key: K, offered: false });
    expect(found[1]?.key).toMatch(/^k51/);
  });

  it("marks a key on a Patch: line as offered, and other mentions as incidental", () => {
    expect(findKeys(`**Patch:** ${K}`, { offered: false, max: 5 })).toEqual([{ key: K, offered: true }]);
    expect(findKeys(`- patch key: ${K}`, { offered: false, max: 5 })).toEqual([{ key: K, offered: true }]);
    expect(findKeys(`our project is ${K}`, { offered: false, max: 5 })).toEqual([{ key: K, offered: false }]);
    expect(findKeys(`our project is ${K}`, { offered: true, max: 5 })).toEqual([{ key: K, offered: true }]);
  });

  it("ignores look-alikes that are not IPNS names, and caps the count", () => {
    expect(
      findKeys(`k51${"x".repeat(59)} QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG`, {
        offered: true,
        max: 5,
      }),
    ).toEqual([]);
    expect(findKeys(`${K} ${PEER}`, { offered: false, max: 1 })).toHaveLength(1);
    expect(findKeys(null, { offered: true, max: 5 })).toEqual([]);
  });

  it("treats an issue labelled with anything about patches as offering its keys", () => {
    expect(isPatchLabelled(["bug", "Patch request"])).toBe(true);
    expect(isPatchLabelled(["bug"])).toBe(false);
  });
});

describe("isPatchLabelled with a configured offer label", () => {
  it("takes only that label, ignoring case", () => {
    expect(isPatchLabelled(["needs-patch"], "patch offer")).toBe(false);
    expect(isPatchLabelled(["bug", "Patch Offer"], "patch offer")).toBe(true);
  });
});
