/** Raw Kubo RPC calls made exactly as the C# client (net-ipfs-http-client) makes them. */
export async function dagPutJsonAsCSharpDoes(apiUrl: string, json: string): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([json], { type: "application/octet-stream" }), "data");
  const url = `${apiUrl}/api/v0/dag/put?store-codec=dag-cbor&input-codec=dag-json&pin=false`;
  const response = await fetch(url, { method: "POST", body: form });
  if (!response.ok) throw new Error(`dag/put answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { Cid: { "/": string } };
  return body.Cid["/"];
}

/** `dag/get?output-codec=dag-json`, parsed as Newtonsoft would see it. */
export async function dagGetJsonAsCSharpDoes(apiUrl: string, cid: string): Promise<unknown> {
  const response = await fetch(`${apiUrl}/api/v0/dag/get?arg=${cid}&output-codec=dag-json`, {
    method: "POST",
  });
  if (!response.ok) throw new Error(`dag/get answered ${response.status}: ${await response.text()}`);
  return JSON.parse(await response.text());
}
