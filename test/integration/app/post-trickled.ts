import { connect } from "node:net";

/** What a trickled POST saw: the answer, and when its last byte was written and its answer came. */
export interface Trickled {
  readonly status: number;
  readonly body: string;
  readonly lastByteAt: number;
  readonly answeredAt: number;
  /** What `onAnswer` returned when the answer's first bytes arrived (before anything else could run). */
  readonly seenAtAnswer: unknown;
}

/**
 * POSTs `body` over a raw socket (HTTP/1.1, with its Content-Length): everything but the last `slowBytes`
 * at once, then one byte every `everyMs`, as a slow or hostile client would. `onAnswer` runs the moment
 * the first bytes of the answer arrive, to look at what the server had done by then.
 */
export function postTrickled(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: {
    slowBytes: number;
    everyMs: number;
    onAnswer: () => unknown;
    /** The loopback address to send from (any of 127.0.0.0/8): another client, as the server sees it. */
    from?: string;
  },
): Promise<Trickled> {
  const { hostname, port, pathname } = new URL(url);
  const bytes = Buffer.from(body);
  const head = [
    `POST ${pathname} HTTP/1.1`,
    `host: ${hostname}:${port}`,
    `content-length: ${bytes.length}`,
    "connection: close",
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    "",
    "",
  ].join("\r\n");
  return new Promise((resolve, reject) => {
    const socket = connect({
      port: Number(port),
      host: hostname,
      ...(options.from === undefined ? {} : { localAddress: options.from }),
    });
    let answer = "";
    let answeredAt = 0;
    let seenAtAnswer: unknown;
    let lastByteAt = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on("error", reject);
    socket.on("data", (chunk: Buffer) => {
      if (answeredAt === 0) {
        answeredAt = Date.now();
        seenAtAnswer = options.onAnswer();
      }
      answer += chunk.toString("utf8");
    });
    socket.on("close", () => {
      clearInterval(timer);
      const [statusLine = "", ...rest] = answer.split("\r\n");
      const status = Number(statusLine.split(" ")[1] ?? 0);
      const text = rest.join("\r\n").split("\r\n\r\n").slice(1).join("\r\n\r\n");
      resolve({ status, body: text, lastByteAt, answeredAt, seenAtAnswer });
    });
    socket.once("connect", () => {
      const fast = bytes.length - options.slowBytes;
      socket.write(head);
      socket.write(bytes.subarray(0, fast));
      let sent = fast;
      timer = setInterval(() => {
        if (answeredAt !== 0 || sent >= bytes.length) return clearInterval(timer);
        socket.write(bytes.subarray(sent, sent + 1));
        sent += 1;
        if (sent === bytes.length) lastByteAt = Date.now();
      }, options.everyMs);
    });
  });
}

/**
 * Opens `count` POSTs, each declaring a body of `declared` bytes, sending `sentAtOnce` of them and then one
 * byte every 500 ms (never the whole body): a slowloris. Each promise is what its connection was answered.
 */
export function openSlowBodies(
  url: string,
  count: number,
  options: { declared: number; sentAtOnce: number; from?: string },
): Promise<Trickled>[] {
  return Array.from({ length: count }, (_, index) =>
    postTrickled(
      url,
      {
        "content-type": "application/json",
        "x-github-event": "issue_comment",
        "x-github-delivery": `slow-${index}`,
        "x-hub-signature-256": "sha256=00",
      },
      "x".repeat(options.declared),
      {
        slowBytes: options.declared - options.sentAtOnce,
        everyMs: 500,
        onAnswer: () => undefined,
        ...(options.from === undefined ? {} : { from: options.from }),
      },
    ),
  );
}
