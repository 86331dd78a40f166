import { describe, expect, it } from "vitest";
import {
  encodeBlock,
  formatTimestamp,
  type IpldMap,
  type IpldValue,
  type LoadedEntry,
  wacProjectModule,
} from "../../../src/nomad/index.js";
import { listItemsCopied } from "../../../src/nomad/list-draft.js";
import { inEntryOrder } from "../../../src/patch-request/field-order.js";
import { diffFields } from "../../../src/patch-request/field-view.js";

const ROOT = "k51qzi5uqu5dh6rtvuvyr9x7jhiwku7m4o1mbp28ibo3t27wr8couy0sz47lep";

/** A WindowsAppCommunity value entry as the module loads it: its ValueUpdateEvent and the value block. */
async function valueEntry(eventId: string, value: IpldValue, ticks: number): Promise<LoadedEntry> {
  const block = await encodeBlock(value);
  const content = await encodeBlock({ Key: null, Value: block.cid, Unset: false });
  return {
    cid: content.cid,
    entry: {
      targetId: ROOT,
      eventId,
      timestampUtc: formatTimestamp(638_000_000_000_000_000n + BigInt(ticks)),
      ticks: 638_000_000_000_000_000n + BigInt(ticks),
      timestampForm: "utc",
      content: content.cid,
    },
    content: { Key: null, Value: block.cid, Unset: false },
    linked: new Map([[block.cid.toString(), value]]),
  };
}

describe("field changes in entry order (issue 16 §4)", () => {
  it("lists fields in the order the entries change them, not by name", async () => {
    const before = {
      ...wacProjectModule.seed({ id: ROOT, sources: [] }),
      Name: "Old",
      Description: "Old text",
      Features: ["x", "beta"],
    } as IpldMap;
    const entries = [
      await valueEntry("UpdateNameAsync", "New", 1),
      await valueEntry("RemoveFeatureAsync", "beta", 2),
      await valueEntry("UpdateNameAsync", "Newer", 3),
      await valueEntry("UpdateDescriptionAsync", "New text", 4),
    ];
    const context = { rootId: ROOT, sources: [] };
    const { state: after } = await wacProjectModule.fold(before, entries, context);
    const fields = diffFields(before, after);
    expect(fields.map((f) => f.path)).toEqual(["Description", "Features[beta]", "Name"]);
    const ordered = await inEntryOrder(fields, wacProjectModule, before, entries, context);
    expect(ordered.map((f) => f.path)).toEqual(["Name", "Features[beta]", "Description"]);
  });

  it("stops folding once every changed field has its place: a long list is not copied once per entry", async () => {
    const before = {
      ...wacProjectModule.seed({ id: ROOT, sources: [] }),
      Features: Array.from({ length: 2_000 }, (_, i) => `feature ${i}`),
    } as IpldMap;
    const entries = [
      await valueEntry("AddFeatureAsync", "new 0", 1),
      await valueEntry("UpdateNameAsync", "Renamed", 2),
      ...(await Promise.all(
        Array.from({ length: 300 }, (_, i) => valueEntry("AddFeatureAsync", `new ${i + 1}`, i + 3)),
      )),
    ];
    const context = { rootId: ROOT, sources: [] };
    const { state: after } = await wacProjectModule.fold(before, entries, context);
    const fields = diffFields(before, after);
    const copiedBefore = listItemsCopied();
    const ordered = await inEntryOrder(fields, wacProjectModule, before, entries, context);
    // Folding each of the 302 entries alone copies the 2,000 features (and more) for every one: 600,000 items.
    expect(listItemsCopied() - copiedBefore).toBeLessThanOrEqual(2 * 2_001);
    expect(ordered.map((f) => f.path.replace(/\[.*$/s, ""))).toEqual([
      "Features",
      ...Array(300).fill("Features"),
      "Name",
    ]);
    expect(ordered).toHaveLength(302);
  });
});
