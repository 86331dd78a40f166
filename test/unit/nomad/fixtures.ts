import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as dagJson from "@ipld/dag-json";
import { CID } from "multiformats/cid";
import type { CrawlFetchers } from "../../../src/nomad/crawl.js";
import type { IpldValue } from "../../../src/nomad/ipld.js";
import { decodeEventStream } from "../../../src/nomad/records/event-stream.js";
import { decodeEventStreamEntry } from "../../../src/nomad/records/event-stream-entry.js";
import { decodeSourceEventContent } from "../../../src/nomad/records/source-events.js";

/** The format vectors (docs/format.md): DAG-JSON blocks named by their CID, and the names they use. */
const dir = fileURLToPath(new URL("../../fixtures/nomad/", import.meta.url));

export const names = JSON.parse(readFileSync(`${dir}names.json`, "utf8")) as {
  R: string;
  LA: string;
  LB: string;
  P: string;
  PL: string;
  streams: Record<"LA" | "LB" | "PL", string>;
  roaming: Record<"docsSeed" | "docsFolded" | "docsFoldedNestedSourcesLA" | "project", string>;
};

export const blockCids: string[] = readdirSync(`${dir}blocks`).map((file) => file.replace(/\.json$/, ""));

export function blockJson(cid: string): string {
  return readFileSync(`${dir}blocks/${cid}.json`, "utf8");
}

export function block(cid: string | CID): IpldValue {
  return dagJson.decode(new TextEncoder().encode(blockJson(cid.toString())));
}

/** Fetchers over the fixture blocks, with IPNS names resolved from `streams` (the fixtures' publish map). */
export function fixtureFetchers(
  streams: Record<string, string | undefined>,
  calls: string[] = [],
): CrawlFetchers {
  return {
    loadStream: async (source) => {
      calls.push(`stream ${source}`);
      const cid = streams[source];
      return cid ? { cid: CID.parse(cid), stream: decodeEventStream(block(cid), cid) } : undefined;
    },
    loadEntry: async (cid) => {
      calls.push(`entry ${cid}`);
      return decodeEventStreamEntry(block(cid), cid.toString());
    },
    loadSourceName: async (cid) => decodeSourceEventContent(block(cid), cid.toString()),
  };
}
