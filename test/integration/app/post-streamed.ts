import { request } from "node:http";

/**
 * POSTs `bytes` of JSON-looking filler to the webhook URL, chunked or with its Content-Length, writing
 * as the socket accepts and stopping as soon as the server answers.
 */
export function postStreamed(
  url: string,
  options: { chunked: boolean; bytes: number },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-github-event": "issue_comment",
      "x-github-delivery": "huge-1",
      "x-hub-signature-256": "sha256=0000",
    };
    if (!options.chunked) headers["content-length"] = String(options.bytes);
    const req = request(url, { method: "POST", headers });
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body });
        req.destroy();
      });
      res.on("error", reject);
    });
    // Writes after the server hung up fail; only a missing answer is a failure of the test.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, "a");
    let sent = 0;
    const pump = () => {
      while (!answered && sent < options.bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}
