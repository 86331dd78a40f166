import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  encodeBlock,
  formatTimestamp,
  type IpldValue,
  type LoadedEntry,
  modules,
  type NomadModule,
} from "../../../src/nomad/index.js";
import { patchRequestModule } from "../../../src/patch-request/patch-request-module.js";
import { cidArb, ipldArb, ipnsNameArb, ticksArb } from "./arbitraries.js";

// Every EventId a module of this project knows, plus one none does.
const EVENT_IDS =
  `AddAddressAsync AddChildPublisherAsync AddConnectionAsync AddEntryAsync AddFeatureAsync AddImageAsync
AddLinkAsync AddParentPublisherAsync AddProjectAsync AddProjectRoleAsync AddPublisherRoleAsync AddUserRoleAsync
CreateFileInFolderEvent CreateFolderInFolderEvent DeleteFromFolderEvent FileUpdateEvent RemoveAddressAsync
RemoveChildPublisherAsync RemoveConnectionAsync RemoveEntryAsync RemoveFeatureAsync RemoveImageAsync RemoveLinkAsync
RemoveParentPublisherAsync RemoveProjectAsync RemoveProjectRoleAsync RemovePublisherRoleAsync RemoveUserRoleAsync
UpdateAccentColorAsync UpdateBaseAsync UpdateCategoryAsync UpdateDescriptionAsync UpdateExtendedDescriptionAsync
UpdateForgetMeStatusAsync UpdateNameAsync UpdatePublisherAsync UpdateTargetAsync UpdateTitleAsync
UpdateUnlistedStateAsync NotAnEventAsync`.split(/\s+/);

/** An entry of any known EventId whose content (and every block it links to) is anything at all. */
const hostileEntry = (root: string) =>
  fc
    .record({
      cid: cidArb,
      eventId: fc.constantFrom(...EVENT_IDS),
      sub: fc.oneof(
        fc.constant(""),
        fc.constant("/docs"),
        fc.string({ maxLength: 8 }).map((s) => `/${s}`),
      ),
      ticks: ticksArb,
      contentCid: cidArb,
      content: fc.oneof(
        ipldArb,
        fc.record({ Key: fc.option(cidArb), Value: fc.option(cidArb), Unset: fc.boolean() }),
      ),
      linkedValue: ipldArb,
    })
    .map(
      (e): LoadedEntry => ({
        cid: e.cid,
        entry: {
          targetId: `${root}${e.sub}`,
          eventId: e.eventId,
          timestampUtc: formatTimestamp(e.ticks),
          ticks: e.ticks,
          timestampForm: "utc",
          content: e.contentCid,
        },
        content: e.content as IpldValue,
        // Whatever the module asks for next is there, holding anything.
        linked: new Map(linksOf(e.content).map((cid) => [cid, e.linkedValue])),
      }),
    );

function linksOf(content: unknown): string[] {
  if (typeof content !== "object" || content === null) return [];
  return Object.values(content as Record<string, unknown>).flatMap((v) =>
    v && typeof v === "object" && "multihash" in v ? [String(v)] : [],
  );
}

/**
 * Every module's fold on hostile entries: a reducer may refuse an entry (it is then "invalid"), but the
 * fold never throws (a reducer's unexpected error would fail the property), and the state it gives still
 * encodes as a block.
 */
describe("module folds on arbitrary entries", () => {
  const all: NomadModule[] = [...modules, patchRequestModule];
  for (const module of all) {
    it(`${module.name}: never throws, always gives an encodable state`, async () => {
      const cases = ipnsNameArb.chain((root) =>
        fc.tuple(fc.constant(root), fc.option(fc.string()), fc.array(hostileEntry(root), { maxLength: 6 })),
      );
      await fc.assert(
        fc.asyncProperty(cases, async ([root, name, entries]) => {
          const seed = module.seed({ id: root, sources: [], name: name ?? undefined });
          const result = await module.fold(seed, entries, { rootId: root, sources: [] });
          expect(result.steps.every((step) => entries.includes(step.entry))).toBe(true);
          // The state becomes the roaming value: whatever the entries held, it must still encode.
          expect((await encodeBlock(result.state)).cid.toString()).toMatch(/^bafyrei/);
        }),
        { numRuns: 150 },
      );
    });
  }
});
