import * as dagCbor from "@ipld/dag-cbor";
import { describe, expect, it } from "vitest";
import {
  decodeInboxMessage,
  encodeInboxMessage,
  inboxTopic,
  MAX_INBOX_MESSAGE_BYTES,
} from "../../../src/patch-request/inbox-message.js";

const target = "k51qzi5uqu5dgyjdkh7ybqhx5cwbgvgdxpx3q2ryk4d13gj73nxk3db3o42z20";
const patch = "k51qzi5uqu5dhqgnau0ej3mpx5212ixngzckc1n8dmyggz7sbe458ap5ebnc47";
const peerIdOfPatch = "12D3KooWG6vtwmY28Fr5KCzzFMHTNNfj5taeN2NAsWGUtRTAvnrq";

describe("the inbox message", () => {
  it("names the target's topic in base36 whatever form it was given in", () => {
    expect(inboxTopic(target)).toBe(`/nomad-patch/inbox/1/${target}`);
    expect(inboxTopic(`/ipns/${target}`)).toBe(`/nomad-patch/inbox/1/${target}`);
  });

  it("round-trips as DAG-CBOR {v, patch, target}, keys in base36", () => {
    const bytes = encodeInboxMessage({ patch: peerIdOfPatch, target });
    expect(dagCbor.decode(bytes)).toEqual({ v: 1, patch: expect.stringMatching(/^k51/), target });
    expect(bytes.byteLength).toBeLessThan(MAX_INBOX_MESSAGE_BYTES);
    const decoded = decodeInboxMessage(bytes, target);
    expect(decoded.ok && decoded.message.target).toBe(target);
    expect(decodeInboxMessage(encodeInboxMessage({ patch, target }), target)).toEqual({
      ok: true,
      message: { patch, target },
    });
  });

  it("describes, never throws on, what is not a message for this inbox", () => {
    const reason = (bytes: Uint8Array) => {
      const decoded = decodeInboxMessage(bytes, target);
      return decoded.ok ? "ok" : decoded.reason;
    };
    expect(reason(new Uint8Array(MAX_INBOX_MESSAGE_BYTES + 1))).toBe("oversized");
    expect(reason(new TextEncoder().encode("hello"))).toBe("malformed");
    expect(reason(dagCbor.encode([1, 2]))).toBe("malformed");
    expect(reason(dagCbor.encode({ v: 2, patch, target }))).toBe("malformed");
    expect(reason(dagCbor.encode({ v: 1, patch, target, extra: true }))).toBe("malformed");
    expect(reason(dagCbor.encode({ v: 1, patch: "not a key", target }))).toBe("malformed");
    expect(reason(dagCbor.encode({ v: 1, patch: "k".repeat(500), target }))).toBe("malformed");
    expect(reason(dagCbor.encode({ v: 1, patch: 7, target }))).toBe("malformed");
    expect(reason(dagCbor.encode({ v: 1, patch, target: patch }))).toBe("other-target");
  });
});
