import { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import { parseRawEntries } from "../../../src/service/propose-raw-entries.js";

const T = "k51qzi5uqu5dh6rtvuvyr9x7jhiwku7m4o1mbp28ibo3t27wr8couy0sz47lep";
const link = "bafyreibtmlzhvj7xrepjsxxtoiltfrhcqts5yzvsxb63fqiuw5ned5fef4";

describe("raw entries for --entries", () => {
  it("defaults TargetId to the target, puts content, and keeps a bare link as an existing block", () => {
    const drafts = parseRawEntries(
      JSON.stringify([
        { EventId: "UpdateNameAsync", Content: { Key: null, Value: { "/": link }, Unset: false } },
        { TargetId: `${T}/a.txt`, EventId: "FileUpdateEvent", Content: { "/": link } },
      ]),
      T,
      "e.json",
    );
    expect(drafts[0]).toMatchObject({ targetId: T, eventId: "UpdateNameAsync" });
    expect(
      drafts[0] && "content" in drafts[0] ? CID.asCID((drafts[0].content as { Value: unknown }).Value) : null,
    ).toEqual(CID.parse(link));
    expect(drafts[1]).toEqual({
      targetId: `${T}/a.txt`,
      eventId: "FileUpdateEvent",
      contentCid: CID.parse(link),
    });
  });

  it("refuses source events, foreign targets and shapeless input, naming the entry", () => {
    const one = (entry: unknown) => () => parseRawEntries(JSON.stringify([entry]), T, "e.json");
    expect(one({ EventId: "NomadEventStreamSourceAddEvent", Content: "k51…" })).toThrow(
      /e\.json\[0\]\.EventId NomadEventStreamSourceAddEvent .*pairing/,
    );
    expect(one({ TargetId: "k51other", EventId: "X", Content: 1 })).toThrow(/e\.json\[0\]\.TargetId/);
    expect(one({ TargetId: `${T}x`, EventId: "X", Content: 1 })).toThrow(/TargetId/);
    expect(one({ EventId: "X" })).toThrow(/Content is missing/);
    expect(() => parseRawEntries("{}", T, "e.json")).toThrow(/JSON array/);
    expect(() => parseRawEntries("[", T, "e.json")).toThrow(/not valid DAG-JSON/);
  });
});
