import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as dagCbor from "@ipld/dag-cbor";
import { base36 } from "multiformats/bases/base36";
import { CID } from "multiformats/cid";
import { identity } from "multiformats/hashes/identity";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { PubsubDisabledError } from "../../../src/ipfs/errors.js";
import { encodeInboxMessage, inboxTopic } from "../../../src/patch-request/inbox-message.js";
import { deliverToInbox, InboxUnreachableError } from "../../../src/service/inbox/deliver-inbox.js";
import { markInboxItem, readInboxRecord } from "../../../src/service/inbox/inbox-record.js";
import { type InboxArrival, type InboxCounts, openInbox } from "../../../src/service/inbox/open-inbox.js";
import { connect, type KuboNode, startKubo } from "../../helpers/kubo.js";
import { createProjectTarget, proposePatch } from "../../helpers/nomad-builders/index.js";
import { pubsubConfig } from "../pair/pair-room.js";

/** An Ed25519 IPNS name nobody holds: a key that never resolves. */
function unknownKey(): string {
  const publicKey = new Uint8Array([0x08, 0x01, 0x12, 0x20, ...randomBytes(32)]);
  return CID.createV1(0x72, identity.digest(publicKey)).toString(base36);
}

const sum = (c: InboxCounts) =>
  c.accepted + c.duplicate + c.malformed + c.oversized + c.otherTarget + c.rateLimited + c.overCap;

/** Waits until a subscriber of `topic` is known to `node`, as `deliver` does: pubsub keeps nothing for later. */
async function waitForSubscriber(node: KuboNode, topic: string): Promise<void> {
  await vi.waitFor(async () => expect((await node.store.pubsubPeers(topic)).length).toBeGreaterThan(0), {
    timeout: 20_000,
    interval: 250,
  });
}

describe("a target's inbox over pubsub", () => {
  let operator: KuboNode;
  let contributor: KuboNode;
  let dataDir: string;
  let target: string;
  let otherTarget: string;

  beforeAll(async () => {
    [operator, contributor] = await Promise.all([
      startKubo({ config: pubsubConfig }),
      startKubo({ config: pubsubConfig }),
    ]);
    await connect(operator, contributor);
    dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-inbox-"));
    [target, otherTarget] = (
      await Promise.all([
        createProjectTarget(operator, { knownId: "inbox-app", name: "Inbox App" }),
        createProjectTarget(operator, { knownId: "other-app", name: "Other App" }),
      ])
    ).map((t) => t.id) as [string, string];
  });
  afterAll(async () => {
    await Promise.all([operator?.stop(), contributor?.stop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("hands on a delivered key once, also across a restart, and drops what is not a message for it", async () => {
    const arrived: InboxArrival[] = [];
    const open = () =>
      openInbox(
        { store: operator.store },
        { targets: [target], dataDir, onKey: (arrival) => void arrived.push(arrival) },
      );
    let inbox = await open();
    const patch = await proposePatch(contributor, {
      target,
      title: "Rename",
      entries: [{ eventId: "UpdateNameAsync", content: { Key: null, Value: null, Unset: true } }],
    });
    const delivered = await deliverToInbox(
      { store: contributor.store },
      { key: patch.key, target, waitMs: 20_000, resolveTimeoutMs: 15_000, copies: 1 },
    );
    expect(delivered.peers).toContain(operator.peerId);
    await vi.waitFor(() => expect(arrived).toHaveLength(1), { timeout: 20_000 });
    expect(arrived[0]).toMatchObject({ key: patch.key, target, cid: patch.cid.toString(), title: "Rename" });
    expect(arrived[0]?.from).toBe(contributor.peerId);

    // Not messages for this inbox: garbage, an oversized one, one naming another target.
    const topic = inboxTopic(target);
    await contributor.store.pubsubPublish(topic, new TextEncoder().encode("not cbor"));
    await contributor.store.pubsubPublish(topic, dagCbor.encode({ v: 1, patch: "x".repeat(4000), target }));
    await contributor.store.pubsubPublish(
      topic,
      encodeInboxMessage({ patch: patch.key, target: otherTarget }),
    );
    await vi.waitFor(() => expect(inbox.counts().received).toBe(4), { timeout: 20_000 });
    await inbox.settled();
    expect(inbox.counts()).toMatchObject({
      accepted: 1,
      delivered: 1,
      malformed: 1,
      oversized: 1,
      otherTarget: 1,
      duplicate: 0,
    });
    await inbox.close();

    // A key handed on and not decided yet is handed on again after a restart (its consumer may have
    // stopped before deciding); one decided is not.
    inbox = await open();
    await vi.waitFor(() => expect(arrived).toHaveLength(2), { timeout: 20_000 });
    expect(arrived[1]).toMatchObject({ key: patch.key, cid: patch.cid.toString() });
    await markInboxItem(dataDir, target, patch.key, { status: "reviewed", reason: "a person decides" });
    await inbox.close();

    // A restart remembers the key: delivering it again hands nothing on.
    inbox = await open();
    await deliverToInbox(
      { store: contributor.store },
      { key: patch.key, target, waitMs: 20_000, resolveTimeoutMs: 15_000, copies: 1 },
    );
    await vi.waitFor(() => expect(inbox.counts().duplicate).toBe(1), { timeout: 20_000 });
    await inbox.settled();
    expect(arrived).toHaveLength(2);
    expect(inbox.counts().accepted).toBe(0);
    await inbox.close();

    const { items } = await readInboxRecord(dataDir, target);
    expect(items).toEqual([
      expect.objectContaining({
        key: patch.key,
        cid: patch.cid.toString(),
        status: "reviewed",
        from: contributor.peerId,
      }),
    ]);
  });

  it("records a patch for another target as invalid after resolving it, and hands nothing on", async () => {
    const arrived: InboxArrival[] = [];
    const inbox = await openInbox(
      { store: operator.store },
      { targets: [target], dataDir, onKey: (arrival) => void arrived.push(arrival) },
    );
    const elsewhere = await proposePatch(contributor, {
      target: otherTarget,
      title: "For the other app",
      entries: [{ eventId: "UpdateNameAsync", content: { Key: null, Value: null, Unset: true } }],
    });
    // The sender's own check would refuse it, so the message is written by hand, as an attacker would.
    await waitForSubscriber(contributor, inboxTopic(target));
    await contributor.store.pubsubPublish(
      inboxTopic(target),
      encodeInboxMessage({ patch: elsewhere.key, target }),
    );
    await vi.waitFor(() => expect(inbox.counts().invalid).toBe(1), { timeout: 20_000 });
    await inbox.settled();
    await inbox.close();
    expect(arrived).toEqual([]);
    const item = (await readInboxRecord(dataDir, target)).items.find((i) => i.key === elsewhere.key);
    expect(item).toMatchObject({ status: "invalid", reason: expect.stringContaining(otherTarget) });

    // And the sender's side says so before publishing anything.
    await expect(
      deliverToInbox(
        { store: contributor.store },
        { key: elsewhere.key, target, waitMs: 1_000, resolveTimeoutMs: 15_000, copies: 1 },
      ),
    ).rejects.toThrow(/another target/);
  });

  it("keeps a flood of 1,000 messages over 50 keys from one peer within the pending cap, each key once", async () => {
    const keys = Array.from({ length: 50 }, unknownKey);
    const floodDir = await mkdtemp(join(tmpdir(), "nomad-patch-inbox-flood-"));
    const inbox = await openInbox(
      { store: operator.store },
      {
        targets: [target],
        dataDir: floodDir,
        // Rates high enough that the cap and the deduplication are what is measured.
        limits: {
          perSender: { perMinute: 100_000, burst: 100_000 },
          global: { perMinute: 100_000, burst: 100_000 },
          maxPending: 5,
          resolveTimeoutMs: 1_000,
        },
      },
    );
    try {
      const topic = inboxTopic(target);
      await waitForSubscriber(contributor, topic);
      // One at a time: Kubo ignores a peer's own messages published out of sequence-number order.
      for (let i = 0; i < 1000; i++)
        await contributor.store.pubsubPublish(
          topic,
          encodeInboxMessage({ patch: keys[i % keys.length] as string, target }),
        );
      // Pubsub may drop some of a burst on the way (its queues are bounded too): wait until it is quiet.
      let last = -1;
      await vi.waitFor(
        () => {
          const received = inbox.counts().received;
          const quiet = received === last;
          last = received;
          expect(quiet).toBe(true);
        },
        { timeout: 30_000, interval: 1_500 },
      );
      const counts = inbox.counts();
      expect(counts.received).toBeGreaterThan(500);
      expect(sum(counts)).toBe(counts.received);
      expect(inbox.pending().max).toBeLessThanOrEqual(5);
      expect(counts.overCap).toBeGreaterThan(0);
      expect(counts.duplicate).toBeGreaterThan(0);
      expect(counts.accepted).toBeLessThanOrEqual(50);
      await inbox.settled();
      const { items } = await readInboxRecord(floodDir, target);
      expect(items).toHaveLength(counts.accepted);
      expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
      expect(items.every((i) => keys.includes(i.key) && i.status === "invalid")).toBe(true);
    } finally {
      await inbox.close();
      await rm(floodDir, { recursive: true, force: true });
    }
  });

  it("limits each sender's rate", async () => {
    const rateDir = await mkdtemp(join(tmpdir(), "nomad-patch-inbox-rate-"));
    const inbox = await openInbox(
      { store: operator.store },
      {
        targets: [target],
        dataDir: rateDir,
        limits: { perSender: { perMinute: 1, burst: 3 }, resolveTimeoutMs: 1_000 },
      },
    );
    try {
      const topic = inboxTopic(target);
      await waitForSubscriber(contributor, topic);
      for (let i = 0; i < 20; i++)
        await contributor.store.pubsubPublish(topic, encodeInboxMessage({ patch: unknownKey(), target }));
      // Pubsub may lose some of a burst on a loaded machine: wait until it is quiet, then count.
      let last = -1;
      await vi.waitFor(
        () => {
          const received = inbox.counts().received;
          const quiet = received === last && received >= 4;
          last = received;
          expect(quiet).toBe(true);
        },
        { timeout: 30_000, interval: 1_500 },
      );
      const counts = inbox.counts();
      expect(counts).toMatchObject({ accepted: 3, rateLimited: counts.received - 3 });
      await inbox.settled();
    } finally {
      await inbox.close();
      await rm(rateDir, { recursive: true, force: true });
    }
  });

  it("says at once that a node has pubsub off, and a sender that nobody listens", async () => {
    const plain = await startKubo();
    try {
      await expect(openInbox({ store: plain.store }, { targets: [target], dataDir })).rejects.toBeInstanceOf(
        PubsubDisabledError,
      );
    } finally {
      await plain.stop();
    }
    const patch = await proposePatch(contributor, { target: otherTarget, title: "Unheard", entries: [] });
    await expect(
      deliverToInbox(
        { store: contributor.store },
        { key: patch.key, target: otherTarget, waitMs: 1_000, resolveTimeoutMs: 15_000, copies: 1 },
      ),
    ).rejects.toBeInstanceOf(InboxUnreachableError);
  });
});
