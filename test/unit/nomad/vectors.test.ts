import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import { encodeBlock } from "../../../src/nomad/block.js";
import {
  decodeFileUpdateEvent,
  decodeFolderUpdateEvent,
  encodeFileUpdateEvent,
  encodeFolderUpdateEvent,
} from "../../../src/nomad/modules/storage-events.js";
import { decodeEventStream, encodeEventStream } from "../../../src/nomad/records/event-stream.js";
import {
  decodeEventStreamEntry,
  encodeEventStreamEntry,
} from "../../../src/nomad/records/event-stream-entry.js";
import { decodeRoamingSources } from "../../../src/nomad/records/roaming-sources.js";
import { decodeSourceEventContent } from "../../../src/nomad/records/source-events.js";
import {
  decodeValueUpdateEvent,
  encodeValueUpdateEvent,
} from "../../../src/nomad/records/value-update-event.js";
import { block, blockCids, names } from "./fixtures.js";

const { R, LA, LB, P, PL } = names;

describe("format vectors (docs/format.md)", () => {
  it("has all 22 blocks", () => {
    expect(blockCids).toHaveLength(22);
  });

  it.each(blockCids)("%s re-encodes to its own CID with DAG-CBOR + sha2-256", async (cid) => {
    const encoded = await encodeBlock(block(cid));
    expect(encoded.cid.toString()).toBe(cid);
    expect(encoded.cid.code).toBe(dagCbor.code);
  });

  it("device A's stream decodes to its label and three entry links, and re-encodes to the same CID", async () => {
    const stream = decodeEventStream(block(names.streams.LA), names.streams.LA);
    expect(stream.label).toBe("Docs");
    expect(stream.entries.map(String)).toEqual([
      "bafyreifqker2qrhpuzey6r7kbmw6o2to7oojvz3rpnc7ic54w3mzto5ts4",
      "bafyreia7ezg5ikpuhchcgkecfcp6voy77ghflgy22fm4ql7r3vckmiaehi",
      "bafyreidgbj7muu74mvxjmpe5pppgtsagfbetyozmd6l4tszeejsalg64cq",
    ]);
    expect((await encodeBlock(encodeEventStream(stream))).cid.toString()).toBe(names.streams.LA);
  });

  it.each([
    [
      "bafyreifqker2qrhpuzey6r7kbmw6o2to7oojvz3rpnc7ic54w3mzto5ts4",
      R,
      "CreateFileInFolderEvent",
      "2025-06-01T10:00:00.1234567Z",
    ],
    [
      "bafyreia7ezg5ikpuhchcgkecfcp6voy77ghflgy22fm4ql7r3vckmiaehi",
      `${R}/readme.txt`,
      "FileUpdateEvent",
      "2025-06-01T10:00:01.5Z",
    ],
    [
      "bafyreidgbj7muu74mvxjmpe5pppgtsagfbetyozmd6l4tszeejsalg64cq",
      R,
      "NomadEventStreamSourceAddEvent",
      "2025-06-01T10:05:00Z",
    ],
    [
      "bafyreiddah2k7hxzfcsvybxrixouzsu3mof5upotheamqlsxeyofpozzqe",
      R,
      "CreateFolderInFolderEvent",
      "2025-06-01T10:07:30.25Z",
    ],
    [
      "bafyreihnnyggihpz46m5hmt4wnpfv7dvhwe6icfibh5ofjhvxamjef3qci",
      P,
      "UpdateNameAsync",
      "2025-06-02T08:30:00.0000001Z",
    ],
    [
      "bafyreid3qdv34bhckadbirtkh6z7qfz7j4hwcztyyu4w44emaebvx7iof4",
      P,
      "AddLinkAsync",
      "2025-06-02T08:31:00Z",
    ],
  ])(
    "entry %s decodes to TargetId, EventId, TimestampUtc and re-encodes",
    async (cid, targetId, eventId, timestampUtc) => {
      const entry = decodeEventStreamEntry(block(cid), cid);
      expect(entry).toMatchObject({ targetId, eventId, timestampUtc, timestampForm: "utc" });
      expect(entry.content.code).toBe(dagCbor.code);
      expect((await encodeBlock(encodeEventStreamEntry(entry))).cid.toString()).toBe(cid);
    },
  );

  it("folder events decode from camelCase and re-encode to the same CIDs", async () => {
    const createFile = decodeFolderUpdateEvent(
      block("bafyreicofpf3ayvso4p6laj2rb6nyuinpcbwjwuvf5lh4mjoi7qzkvm4ai"),
      "c",
    );
    expect(createFile).toEqual({
      eventId: "CreateFileInFolderEvent",
      storableItemId: `${R}/readme.txt`,
      workingFolderId: R,
      storableItemName: "readme.txt",
      overwrite: false,
    });
    expect((await encodeBlock(encodeFolderUpdateEvent(createFile))).cid.toString()).toBe(
      "bafyreicofpf3ayvso4p6laj2rb6nyuinpcbwjwuvf5lh4mjoi7qzkvm4ai",
    );
    const createFolder = decodeFolderUpdateEvent(
      block("bafyreifr6slpzlbhzojlacbtv52a6vtit3pxbki7nci36oqjpsfsbk37oy"),
      "c",
    );
    expect(createFolder.storableItemName).toBe("photos");
    expect((await encodeBlock(encodeFolderUpdateEvent(createFolder))).cid.toString()).toBe(
      "bafyreifr6slpzlbhzojlacbtv52a6vtit3pxbki7nci36oqjpsfsbk37oy",
    );
  });

  it("the FileUpdateEvent decodes from PascalCase with a CIDv0 UnixFS link", async () => {
    const cid = "bafyreibu7uk2q3ubswhdhxxurn7b4uz3djkflod2etcl6mxbii5ukmlo4y";
    const event = decodeFileUpdateEvent(block(cid), cid);
    expect(event.storableItemId).toBe(`${R}/readme.txt`);
    expect(event.newContentId.toString()).toBe("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
    expect(event.newContentId.version).toBe(0);
    expect((await encodeBlock(encodeFileUpdateEvent(event))).cid.toString()).toBe(cid);
  });

  it("ValueUpdateEvents keep the null Key and re-encode to the same CIDs", async () => {
    const name = decodeValueUpdateEvent(
      block("bafyreicjxfsxapovpeuqwfqxgxmz6nxxo5rinb5rk5sawlfqqhv6y4jela"),
      "c",
    );
    expect(name).toEqual({
      key: null,
      value: CID.parse("bafyreibtmlzhvj7xrepjsxxtoiltfrhcqts5yzvsxb63fqiuw5ned5fef4"),
      unset: false,
    });
    expect((await encodeBlock(encodeValueUpdateEvent(name))).cid.toString()).toBe(
      "bafyreicjxfsxapovpeuqwfqxgxmz6nxxo5rinb5rk5sawlfqqhv6y4jela",
    );
    const link = decodeValueUpdateEvent(
      block("bafyreibwc5qu6vdzfjpoj5ykntq3yrklpo7kxcv67tgotzsnr7kfnwfe4m"),
      "c",
    );
    expect(link.key?.toString()).toBe("bafyreifxjoc4lahvr7atyei5pcw6zbntv4gar4htgnfyt2jvstwi7x2bei");
    expect((await encodeBlock(encodeValueUpdateEvent(link))).cid.toString()).toBe(
      "bafyreibwc5qu6vdzfjpoj5ykntq3yrklpo7kxcv67tgotzsnr7kfnwfe4m",
    );
  });

  it("scalar value blocks are bare strings", () => {
    expect(block("bafyreibtmlzhvj7xrepjsxxtoiltfrhcqts5yzvsxb63fqiuw5ned5fef4")).toBe("My App");
    expect(block("bafyreifxjoc4lahvr7atyei5pcw6zbntv4gar4htgnfyt2jvstwi7x2bei")).toBe("link-1");
    expect(
      decodeSourceEventContent(block("bafyreiaxx3bfiprcgta7g2x4kcqmqpsz4alhflbiek63xfbunpy6lmvbmi"), "c"),
    ).toBe(LB);
  });

  it("roaming values carry Sources as plain strings", () => {
    expect(decodeRoamingSources(block(names.roaming.docsSeed), "r")).toEqual([LA]);
    expect(decodeRoamingSources(block(names.roaming.project), "r")).toEqual([PL]);
  });
});
