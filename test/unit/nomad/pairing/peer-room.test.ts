import { describe, expect, it } from "vitest";
import { PeerRoomState } from "../../../../src/nomad/pairing/peer-room.js";

const utf8 = (text: string) => new TextEncoder().encode(text);

describe("peer room membership (OwlCore.Kubo PeerRoom)", () => {
  it("ignores its own messages and strangers' non-heartbeats; a matching heartbeat joins once", () => {
    const room = new PeerRoomState("self", 2000, "hb");
    expect(room.receive("self", utf8("hb"), 0)).toEqual({ kind: "ignored" });
    expect(room.receive("p", utf8("secret"), 0)).toEqual({ kind: "ignored" });
    expect(room.receive("p", utf8("other heartbeat"), 0)).toEqual({ kind: "ignored" });
    expect(room.receive("p", utf8("hb"), 10)).toEqual({ kind: "heartbeat", peer: "p", joined: true });
    expect(room.receive("p", utf8("hb"), 20)).toEqual({ kind: "heartbeat", peer: "p", joined: false });
    expect(room.receive("p", utf8("secret"), 30)).toEqual({
      kind: "message",
      peer: "p",
      data: utf8("secret"),
    });
    expect(room.joined).toEqual(["p"]);
  });

  it("drops a peer after the expiry without a heartbeat, and everyone when the heartbeat changes", () => {
    const room = new PeerRoomState("self", 2000, "hb");
    room.receive("p", utf8("hb"), 0);
    room.receive("q", utf8("hb"), 1500);
    expect(room.prune(2000)).toEqual([]);
    expect(room.prune(2001)).toEqual(["p"]);
    expect(room.joined).toEqual(["q"]);
    room.setHeartbeat("hb2", 2100);
    expect(room.joined).toEqual([]);
    expect(room.receive("q", utf8("hb"), 2200)).toEqual({ kind: "ignored" });
    expect(room.receive("q", utf8("hb2"), 2300)).toEqual({ kind: "heartbeat", peer: "q", joined: true });
  });
});
