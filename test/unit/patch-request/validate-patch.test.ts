import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { describe, expect, it } from "vitest";
import { decodeEventStreamEntry } from "../../../src/nomad/index.js";
import type { PatchRequestRecord } from "../../../src/patch-request/patch-request-record.js";
import type { ProposedEntry } from "../../../src/patch-request/proposed-entry.js";
import { validatePatch } from "../../../src/patch-request/validate-patch.js";

const T = "k51qzi5uqu5dh6rtvuvyr9x7jhiwku7m4o1mbp28ibo3t27wr8couy0sz47lep";
const OTHER = "k51qzi5uqu5dh0b977vhvmrl8f8xivun0fojxria3arhf8dnmf6ekbjvq60dap";
const KEY = "k51qzi5uqu5didhv42id6v4l0ddkhiw9lr77r5pnpx3z2w7tghb1k41226qadx";

async function cidOf(value: unknown): Promise<CID> {
  return CID.createV1(dagCbor.code, await sha256.digest(dagCbor.encode(value)));
}

async function entry(index: number, eventId: string, targetId = T): Promise<ProposedEntry> {
  const content = await cidOf({ n: index });
  const block = {
    TargetId: targetId,
    EventId: eventId,
    TimestampUtc: "2025-06-01T10:00:00Z",
    Content: content,
  };
  return { index, cid: await cidOf(block), entry: decodeEventStreamEntry(block, "test") };
}

function record(entries: ProposedEntry[], overrides: Partial<PatchRequestRecord> = {}): PatchRequestRecord {
  return {
    id: KEY,
    target: T,
    base: null,
    title: "t",
    description: "d",
    entries: entries.map((e) => e.cid),
    sources: [],
    ...overrides,
  };
}

describe("validatePatch", () => {
  it("accepts a plain patch to a configured target", async () => {
    const entries = [await entry(0, "UpdateNameAsync"), await entry(1, "AddLinkAsync", `${T}/sub`)];
    const result = validatePatch({
      key: KEY,
      record: record(entries),
      entries,
      allowedTargets: [T],
      targetPublishedCid: null,
      maxEntries: 10,
    });
    expect(result).toEqual({ errors: [], warnings: [] });
  });

  it("lists every refusal at once, each naming its entry", async () => {
    const entries = [
      await entry(0, "NomadEventStreamSourceAddEvent"),
      await entry(1, "UpdateNameAsync", OTHER),
      await entry(2, "nomadeventstreamsourceremoveevent"),
      {
        index: 3,
        cid: await cidOf("x"),
        problem: { code: "entry-unreadable" as const, message: "not a map" },
      },
    ];
    const result = validatePatch({
      key: KEY,
      record: record(entries),
      entries,
      allowedTargets: [OTHER],
      targetPublishedCid: null,
      maxEntries: 3,
    });
    expect(result.errors.map((e) => [e.code, e.entryIndex])).toEqual([
      ["target-not-configured", undefined],
      ["too-many-entries", undefined],
      ["entry-unreadable", 3],
      ["reserved-event-id", 0],
      ["reserved-event-id", 2],
      ["entry-outside-target", 1],
    ]);
    expect(result.errors[3]?.message).toBe(
      "Entry 0 is a NomadEventStreamSourceAddEvent entry: a patch can never add or remove a source (that is pairing, full trust)",
    );
  });

  it("names the key a source event would add or remove as a device", async () => {
    const withContent = async (index: number, eventId: string): Promise<ProposedEntry> => {
      const proposed = await entry(index, eventId);
      if (!proposed.entry) throw new Error("the test entry decodes");
      // What pairing writes: the new source's key as a bare string block.
      return {
        ...proposed,
        loaded: { cid: proposed.cid, entry: proposed.entry, content: OTHER, linked: new Map() },
      };
    };
    const entries = [
      await withContent(0, "NomadEventStreamSourceAddEvent"),
      await withContent(1, "NomadEventStreamSourceRemoveEvent"),
    ];
    const result = validatePatch({
      key: KEY,
      record: record(entries),
      entries,
      targetPublishedCid: null,
      maxEntries: 5,
    });
    expect(result.errors.map((e) => e.message)).toEqual([
      `Entry 0 would make ${OTHER} a device with full write access to the target (NomadEventStreamSourceAddEvent): a patch can never add or remove a source (that is pairing, full trust)`,
      `Entry 1 would remove ${OTHER} from the devices that write the target (NomadEventStreamSourceRemoveEvent): a patch can never add or remove a source (that is pairing, full trust)`,
    ]);
  });

  it("refuses an empty patch, and a target that is a prefix but not a parent", async () => {
    expect(
      validatePatch({ key: KEY, record: record([]), entries: [], targetPublishedCid: null, maxEntries: 5 })
        .errors[0]?.code,
    ).toBe("no-entries");
    const sneaky = [await entry(0, "UpdateNameAsync", `${T}x/file`)];
    const result = validatePatch({
      key: KEY,
      record: record(sneaky),
      entries: sneaky,
      targetPublishedCid: null,
      maxEntries: 5,
    });
    expect(result.errors.map((e) => e.code)).toEqual(["entry-outside-target"]);
  });

  it("warns when the target moved since the author's Base, when the Id is not the key, and on duplicates", async () => {
    const e = await entry(0, "UpdateNameAsync");
    const base = await cidOf("old roaming");
    const now = await cidOf("new roaming");
    const result = validatePatch({
      key: KEY,
      record: record([e, e], { base, id: OTHER }),
      entries: [e],
      targetPublishedCid: now,
      maxEntries: 5,
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toEqual(["duplicate-entry", "id-mismatch", "target-moved"]);
    expect(result.warnings[2]?.message).toContain(`the author saw ${base}, the target is now at ${now}`);
  });
});
