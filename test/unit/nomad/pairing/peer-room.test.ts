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

  it("remembers when a peer was last heard under the current heartbeat, past the expiry, and forgets it with a new heartbeat", () => {
    const room = new PeerRoomState("self", 2000, "hb");
    expect(room.lastHeard("p")).toBeUndefined();
    room.receive("p", utf8("other heartbeat"), 0);
    expect(room.lastHeard("p")).toBeUndefined();
    room.receive("p", utf8("hb"), 100);
    room.receive("p", utf8("hb"), 600);
    expect(room.prune(5000)).toEqual(["p"]);
    // Gone from the room, and still known to have been heard: its message is ignored by the room itself.
    expect(room.joined).toEqual([]);
    expect(room.lastHeard("p")).toBe(600);
    expect(room.receive("p", utf8("key"), 5100)).toEqual({ kind: "ignored" });
    room.setHeartbeat("hb2", 5200);
    expect(room.lastHeard("p")).toBeUndefined();
  });

  it("keeps at most 64 peers' last heartbeats; one already kept is updated", () => {
    const room = new PeerRoomState("self", 2000, "hb");
    for (let i = 0; i < 100; i++) room.receive(`p${i}`, utf8("hb"), i);
    expect(room.lastHeard("p63")).toBe(63);
    expect(room.lastHeard("p64")).toBeUndefined();
    room.receive("p0", utf8("hb"), 1000);
    expect(room.lastHeard("p0")).toBe(1000);
  });
});
