import { describe, expect, it } from "vitest";
import { DecodeError } from "../../../src/errors.js";
import { isIpnsName, parseIpnsName } from "../../../src/nomad/ipns-name.js";
import { names } from "./fixtures.js";

const LA = names.LA;
const PEER_ID = "12D3KooWFjeu8NLHSBtZcrY5Qsoegnfe183dd6ELtvSdfwcDm6dz";
const BASE32 = "bafzaajaiaejcav7rekivj43dluvhz2u3ky4zkges26is3fdrbute2tpiaxgoejiv";

describe("IPNS names", () => {
  it.each([
    ["base36", LA],
    ["peer id", PEER_ID],
    ["base32 libp2p-key CID", BASE32],
    ["/ipns/ path", `/ipns/${LA}`],
    ["/ipns/ path with a peer id", `/ipns/${PEER_ID}`],
    ["ipns:// URL", `ipns://${LA}`],
    ["ipns:// URL with a trailing slash", `ipns://${BASE32}/`],
    ["surrounding spaces", `  ${LA}\n`],
  ])("accepts a %s and outputs base36 k51…", (_form, input) => {
    expect(parseIpnsName(input)).toBe(LA);
  });

  it.each([
    [
      "a dag-cbor CID",
      "bafyreidiuzxizoe2p5bcgluglp6r56tcpz3f23sfoj72meq53d3bfjukyy",
      /codec 0x71, not a libp2p-key/,
    ],
    ["a CIDv0 file", "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", /Nomad keys are Ed25519/],
    ["a DNSLink name", "/ipns/example.com", /Not an IPNS name/],
    ["a path", `/ipns/${LA}/file.txt`, /path/],
    ["an empty string", "", /empty/],
    ["garbage", "k51-not-a-key", /not a CID/],
    ["a truncated name", LA.slice(0, -4), /Not an IPNS name/],
  ])("refuses %s", (_what, input, message) => {
    expect(() => parseIpnsName(input, "argument")).toThrow(DecodeError);
    expect(() => parseIpnsName(input, "argument")).toThrow(message);
    expect(isIpnsName(input)).toBe(false);
  });
});
