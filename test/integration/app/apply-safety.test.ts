import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { describe, expect, it } from "vitest";
import { IpfsTimeoutError, KuboUnavailableError } from "../../../src/ipfs/errors.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import {
  CREATE_FILE,
  CREATE_FOLDER,
  encodeFileUpdateEvent,
  encodeFolderUpdateEvent,
  FILE_UPDATE,
} from "../../../src/nomad/index.js";
import { parseMarker } from "../../../src/render/marker.js";
import { foldBombEntries } from "../../helpers/fold-bomb.js";
import {
  createStorageTarget,
  proposePatch,
  type RawEntry,
  type StorageTarget,
} from "../../helpers/nomad-builders/index.js";
import { withFault } from "../faults/fault-store.js";
import { streamOf } from "../faults/patch-setup.js";
import { appPerTest, kuboPairPerSuite, type TestApp } from "./harness.js";
import { commentCreated, issueOpened } from "./payloads.js";

const WRITER = { permission: "write", role_name: "write" };

/**
 * Issue 9 §4: nothing is published unless all of it is safe, the status says what the journal shows
 * was published, and a failed apply never leaves the target blocked.
 */
describe("the GitHub App publishes nothing it cannot finish", () => {
  const nodes = kuboPairPerSuite();
  const apps = appPerTest();
  let counter = 0;

  const newTarget = () =>
    createStorageTarget(nodes.operator, { name: `Docs-${++counter}`, files: { "readme.txt": "hi\n" } });
  const config = (id: string) =>
    [`targets:`, `  - id: ${id}`, `    module: storage`, `limits:`, `  resolveTimeoutSeconds: 3`].join("\n");
  const start = (id: string, store: IpfsStore = nodes.operator.store) =>
    apps.start(store, { config: config(id), permissions: { maintainer: WRITER } });

  function folder(target: StorageTarget, name: string): RawEntry {
    return {
      targetId: target.id,
      eventId: CREATE_FOLDER,
      content: encodeFolderUpdateEvent({
        eventId: CREATE_FOLDER,
        storableItemId: `${target.id}/${name}`,
        workingFolderId: target.id,
        storableItemName: name,
        overwrite: false,
      }),
    };
  }

  /** What the operator's node has published for the target: its roaming value and its own stream. */
  async function published(target: StorageTarget) {
    const store = nodes.operator.store;
    return {
      roaming: (await store.resolveName(target.id, { nocache: true }))?.toString(),
      stream: await streamOf(store, target.localId),
    };
  }

  /** Two patches from the contributor, one after the other, each adding one folder to the target. */
  async function twoPatches(target: StorageTarget) {
    const propose = (title: string) =>
      proposePatch(nodes.contributor, { target: target.id, title, entries: [folder(target, title)] });
    const first = await propose("first");
    return [first, await propose("second")] as const;
  }

  async function openAndApply(app: TestApp, number: number, key: string) {
    const issue = { number, body: `Patch: ${key}` };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
    await app.settle();
    return app.gh.botComments(number);
  }

  it("says a file's content is unreachable in the review, and /apply publishes nothing", async () => {
    const target = await newTarget();
    const nowhere = CID.createV0(Digest.create(0x12, new Uint8Array(32).fill(0x42)));
    const id = `${target.id}/ghost.txt`;
    const patch = await proposePatch(nodes.contributor, {
      target: target.id,
      title: "a file nobody has",
      entries: [
        {
          targetId: target.id,
          eventId: CREATE_FILE,
          content: encodeFolderUpdateEvent({
            eventId: CREATE_FILE,
            storableItemId: id,
            workingFolderId: target.id,
            storableItemName: "ghost.txt",
            overwrite: false,
          }),
        },
        {
          targetId: id,
          eventId: FILE_UPDATE,
          content: encodeFileUpdateEvent({ storableItemId: id, newContentId: nowhere }),
        },
      ],
    });
    const before = await published(target);
    const app = await start(target.id);
    const comments = await openAndApply(app, 70, patch.key);

    expect(app.failures).toEqual([]);
    const review = comments.find((c) => parseMarker(c.body)?.kind === "review");
    expect(parseMarker(review?.body)).toMatchObject({ key: patch.key, state: "refused" });
    expect(review?.body).toContain(`The patch references ${nowhere}, which could not be fetched`);
    expect(review?.body).toContain("**Refused:**");
    const answer = comments.at(-1)?.body;
    expect(answer).toContain("**Nothing applied:**");
    expect(await published(target)).toEqual(before);
  });

  it("refuses the k = 13 fold bomb at review as too large; nothing is published; a good patch applies after it", async () => {
    const target = await newTarget();
    const bomb = await proposePatch(nodes.contributor, {
      target: target.id,
      title: "bomb 13",
      entries: foldBombEntries(target.id, 13),
    });
    const good = await proposePatch(nodes.contributor, {
      target: target.id,
      title: "a docs folder",
      entries: [folder(target, "docs")],
    });
    const before = await published(target);
    const app = await start(target.id);

    const bombComments = await openAndApply(app, 71, bomb.key);
    const review = bombComments.find((c) => parseMarker(c.body)?.kind === "review");
    expect(parseMarker(review?.body)).toMatchObject({ key: bomb.key, state: "refused" });
    // Refused in the review (too large, or earlier by the C# replay check): never after an approval.
    expect(review?.body).toContain("**Refused:**");
    expect(bombComments.at(-1)?.body).toContain("**Nothing applied:**");
    expect(await published(target)).toEqual(before);

    const goodComments = await openAndApply(app, 72, good.key);
    expect(app.failures).toEqual([]);
    expect(parseMarker(goodComments.at(-1)?.body)).toMatchObject({ kind: "status", state: "applied" });
    const after = await published(target);
    expect(after.stream).toHaveLength(before.stream.length + 1);
    expect(after.roaming).not.toBe(before.roaming);
  });

  it("says exactly what was published when the roaming publish fails; a retry finishes it and the target takes further patches", async () => {
    const target = await newTarget();
    const [first, second] = await twoPatches(target);
    const before = await published(target);
    const faulty = withFault(
      nodes.operator.store,
      { method: "publishName", nth: 1, when: (name) => name === target.keyNames.roaming },
      async () => {
        throw new IpfsTimeoutError("name publish", 3000);
      },
    );
    const app = await start(target.id, faulty);

    const failed = await openAndApply(app, 73, first.key);
    const status = failed.at(-1)?.body ?? "";
    expect(parseMarker(status)).toMatchObject({ kind: "status", state: "failed", cid: first.cid.toString() });
    const midway = await published(target);
    expect(midway.roaming).toBe(before.roaming);
    expect(midway.stream).toHaveLength(before.stream.length + 1);
    const streamCid = (await nodes.operator.store.resolveName(target.localId, { nocache: true }))?.toString();
    expect(status).toContain(
      `**Partly published:** the bot's event stream \`${streamCid}\` already holds the patch's 1 entries, but the target's roaming value was not republished with them. Comment \`/apply\` to finish`,
    );
    expect(status).not.toMatch(/nothing/i);

    // Approving the first again finishes it, writing no entry twice; then another patch applies on top.
    await app.deliver("issue_comment", commentCreated({ number: 73, body: "" }, "/apply", "maintainer"));
    await app.settle();
    expect(parseMarker(app.gh.botComments(73).at(-1)?.body)).toMatchObject({
      kind: "status",
      state: "applied",
    });
    const other = await openAndApply(app, 74, second.key);
    expect(parseMarker(other.at(-1)?.body)).toMatchObject({ kind: "status", state: "applied" });
    expect(app.failures).toEqual([]);
    const after = await published(target);
    expect(after.stream).toHaveLength(before.stream.length + 2);
    expect(new Set(after.stream).size).toBe(after.stream.length);
  });

  it("says nothing was published when writing the entries fails; the target is not held up: another patch applies, and approving the first again applies it", async () => {
    const target = await newTarget();
    const [first, second] = await twoPatches(target);
    const before = await published(target);
    // The node refuses the one import of the entries and the bot's stream (as a daemon that went away would).
    const faulty = withFault(nodes.operator.store, { method: "importBlocks", nth: 1 }, async () => {
      throw new KuboUnavailableError(nodes.operator.store.apiUrl);
    });
    const app = await start(target.id, faulty);

    const failed = await openAndApply(app, 75, first.key);
    const status = failed.at(-1)?.body ?? "";
    expect(parseMarker(status)).toMatchObject({ kind: "status", state: "failed", cid: first.cid.toString() });
    expect(status).toContain("Nothing was published");
    expect([...app.gh.labels]).toContain("nomad-patch: failed");
    expect(await published(target)).toEqual(before);

    // Nothing of the first is out, so nothing holds the target: the second patch applies.
    const other = await openAndApply(app, 76, second.key);
    expect(parseMarker(other.at(-1)?.body)).toMatchObject({ kind: "status", state: "applied" });

    // The first, approved again, was reviewed before the second moved the target: its approval is void and
    // its review is shown again; approving that applies it.
    await app.deliver("issue_comment", commentCreated({ number: 75, body: "" }, "/apply", "maintainer"));
    await app.settle();
    await app.deliver("issue_comment", commentCreated({ number: 75, body: "" }, "/apply", "maintainer"));
    await app.settle();
    expect(parseMarker(app.gh.botComments(75).at(-1)?.body)).toMatchObject({
      kind: "status",
      state: "applied",
    });
    expect(app.failures).toEqual([]);
    const after = await published(target);
    expect(after.stream).toHaveLength(before.stream.length + 2);
    expect(new Set(after.stream).size).toBe(after.stream.length);
  });
});
