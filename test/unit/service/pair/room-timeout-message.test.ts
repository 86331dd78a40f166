import { describe, expect, it } from "vitest";
import { type RoomSeen, roomTimeoutMessage } from "../../../../src/service/pair/room-timeout-message.js";

const nothing: RoomSeen = {
  room: "r00m",
  peerId: "12D3Self",
  expiryMs: 2000,
  unreadable: 0,
  oversized: 0,
  maxMessageBytes: 4096,
  otherName: undefined,
  ownName: "Nomad.Kubo.Storage.Roaming.Docs",
  refused: { messages: 0, peers: [] },
};
const waitingForKey = "the roaming key from peer 12D3Holder";

describe("what a pairing's timeout says it saw", () => {
  it("heard the holder, then silence: names the peer and how long it has been quiet, and points at the other side's output", () => {
    const [message, { hint }] = roomTimeoutMessage(waitingForKey, 20_000, {
      ...nothing,
      bound: { peer: "12D3Holder", present: false, silentMs: 17_260 },
      peers: 1,
    });
    expect(message).toBe(
      "Pairing gave up after 20 s waiting for the roaming key from peer 12D3Holder; peer 12D3Holder was in room r00m and went quiet: nothing from it for the last 17.3 s (a room drops a peer after 2 s without a heartbeat).",
    );
    expect(hint).toContain("read the other side's own output");
    expect(hint).toContain("start both sides again");
  });

  it("heard the holder, then silence, with unreadable messages beside it: the holder comes first, the rest is someone else", () => {
    const [message] = roomTimeoutMessage(waitingForKey, 20_000, {
      ...nothing,
      bound: { peer: "12D3Holder", present: false, silentMs: 5_000 },
      unreadable: 7,
      refused: { messages: 3, peers: ["12D3Other"] },
    });
    expect(message).toContain("peer 12D3Holder was in room r00m and went quiet");
    expect(message).not.toContain("the other device uses a different password");
    expect(message).toContain(
      "7 message(s) in the room could not be decrypted: someone else is there with another password.",
    );
    expect(message).toContain("This side refused 3 message(s) from 1 other peer(s) (12D3Other)");
  });

  it("hears the holder still: says it is there and has not got to this step", () => {
    const [message, { hint }] = roomTimeoutMessage(waitingForKey, 20_000, {
      ...nothing,
      bound: { peer: "12D3Holder", present: true },
      peers: 1,
    });
    expect(message).toContain(
      "peer 12D3Holder is in room r00m (its messages arrive) but has not got to this step",
    );
    expect(hint).toContain("--timeout");
  });

  it("heard only unreadable messages: another password, and the same code again", () => {
    const [message, { hint }] = roomTimeoutMessage(waitingForKey, 20_000, {
      ...nothing,
      unreadable: 4,
      peers: 1,
    });
    expect(message).toContain(
      "4 message(s) in room r00m could not be decrypted: the other device uses a different password",
    );
    expect(hint).toBe("start both sides again with the same code");
  });

  it("heard nobody: no node in the room, or nothing at all", () => {
    const [alone, { hint }] = roomTimeoutMessage("the new device to join", 3_000, { ...nothing, peers: 0 });
    expect(alone).toContain("no node connected to this one (peer 12D3Self) is in room r00m");
    expect(hint).toContain("ipfs swarm connect /p2p/12D3Self");
    const [unknown] = roomTimeoutMessage("the new device to join", 3_000, nothing);
    expect(unknown).toContain("nothing arrived in room r00m");
  });

  it("a node there that says nothing readable: the other side's own message says why", () => {
    const [message, { hint }] = roomTimeoutMessage("the new device to join", 3_000, { ...nothing, peers: 1 });
    expect(message).toContain(
      "a node connected to this one is in room r00m but sent nothing this side can read",
    );
    expect(hint).toContain("the other side's own message says which");
  });
});
