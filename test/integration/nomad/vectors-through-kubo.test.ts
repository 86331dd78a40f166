import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import { blockCids, blockJson } from "../../unit/nomad/fixtures.js";
import { dagPutJsonAsCSharpDoes } from "./kubo-http.js";

describe("the format vectors through a real Kubo dag/put (dag-json in, dag-cbor stored)", () => {
  let node: KuboNode;
  beforeAll(async () => {
    node = await startKubo();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it("gives every block the CID computed with @ipld/dag-cbor", async () => {
    const results = await Promise.all(
      blockCids.map(async (cid) => [cid, await dagPutJsonAsCSharpDoes(node.apiUrl, blockJson(cid))]),
    );
    expect(results).toHaveLength(22);
    for (const [expected, stored] of results) expect(stored).toBe(expected);
  });

  it("gives the same CID whatever the JSON property order, as Newtonsoft's order is not canonical", async () => {
    const cid = "bafyreicjxfsxapovpeuqwfqxgxmz6nxxo5rinb5rk5sawlfqqhv6y4jela";
    const reordered = `{"Value":{"/":"bafyreibtmlzhvj7xrepjsxxtoiltfrhcqts5yzvsxb63fqiuw5ned5fef4"},"Unset":false,"Key":null}`;
    expect(await dagPutJsonAsCSharpDoes(node.apiUrl, reordered)).toBe(cid);
  });
});
