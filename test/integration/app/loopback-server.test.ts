import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { answerPing, type LoopbackServer, listenOnLoopback } from "../../../src/app/loopback-server.js";

/**
 * Opens a connection, writes `text`, and resolves with what the server answered once it closed the
 * connection, or with `closed: false` when it still held it after `waitMs`.
 */
function exchange(port: number, text: string, waitMs: number): Promise<{ answer: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer, closed });
    };
    const timer = setTimeout(() => done(false), waitMs);
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString("utf8");
    });
    socket.on("error", () => done(true));
    socket.on("close", () => done(true));
    socket.once("connect", () => socket.write(text));
  });
}

// The main thread's server behind the webhook thread: real sockets on the loopback interface.
describe("the app's loopback server", () => {
  const open: LoopbackServer[] = [];
  afterEach(async () => {
    for (const server of open.splice(0)) await server.close().catch(() => {});
  });
  const listen = async (...args: Parameters<typeof listenOnLoopback>) => {
    const server = await listenOnLoopback(...args);
    open.push(server);
    return server;
  };
  const url = (server: LoopbackServer, path: string) =>
    `http://${server.address.host}:${server.address.port}${path}`;

  it("listens on a loopback port the system chose, so two never ask for the same one", async () => {
    const first = await listen([answerPing], () => {});
    const second = await listen([answerPing], () => {});
    expect(first.address.host).toBe("127.0.0.1");
    expect(first.address.port).toBeGreaterThan(0);
    expect(second.address.port).not.toBe(first.address.port);
    expect(await (await fetch(url(first, "/ping"))).text()).toBe("PONG");
    expect(await (await fetch(url(second, "/ping?from=probe"))).text()).toBe("PONG");
  });

  it("serves its handlers in turn and answers 404 when none takes the request", async () => {
    const seen: string[] = [];
    const server = await listen(
      [
        answerPing,
        (req) => {
          seen.push(req.url ?? "");
          return false;
        },
        async (req, res) => {
          if (req.url !== "/mine") return undefined;
          res.writeHead(201).end("taken");
          return true;
        },
      ],
      () => {},
    );
    const mine = await fetch(url(server, "/mine"));
    expect([mine.status, await mine.text()]).toEqual([201, "taken"]);
    expect((await fetch(url(server, "/elsewhere"))).status).toBe(404);
    // `/ping` is answered by the first handler; only a POST to it goes further.
    expect((await fetch(url(server, "/ping"), { method: "POST" })).status).toBe(404);
    expect(seen).toEqual(["/mine", "/elsewhere", "/ping"]);
  });

  it("answers 500 for a handler that throws, reports it, and goes on serving", async () => {
    const reported: unknown[] = [];
    const server = await listen(
      [
        (req) => {
          if (req.url === "/boom") throw new Error("handler failed");
          return false;
        },
        answerPing,
      ],
      (error) => reported.push(error),
    );
    expect((await fetch(url(server, "/boom"))).status).toBe(500);
    expect(reported).toEqual([new Error("handler failed")]);
    expect(await (await fetch(url(server, "/ping"))).text()).toBe("PONG");
  });

  it("once closed, no longer accepts connections", async () => {
    const server = await listenOnLoopback([answerPing], () => {});
    await server.close();
    await expect(fetch(url(server, "/ping"))).rejects.toThrow();
  });

  // Anything on the host can reach the port, and each connection is a file descriptor the webhook thread
  // needs too. A bound on a hang, not a speed check: Node's own bounds are 60 s for headers and none for
  // a connection that sends nothing.
  it("bounds its connections as the webhook thread does: half headers answered 408, a silent one closed, one over the cap closed at once", async () => {
    const server = await listen([answerPing], () => {}, { maxConnections: 6 });
    const { port } = server.address;
    const half = `GET /ping HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n`;
    const held = [
      ...Array.from({ length: 3 }, () => exchange(port, half, 30_000)),
      ...Array.from({ length: 3 }, () => exchange(port, "", 30_000)),
    ];
    // Let the six be taken before the seventh comes.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const over = await exchange(port, half, 30_000);
    expect(over).toEqual({ answer: "", closed: true });
    const ends = await Promise.all(held);
    expect(ends.every((end) => end.closed)).toBe(true);
    expect(ends.slice(0, 3).map((end) => end.answer.split("\r\n")[0])).toEqual([
      "HTTP/1.1 408 Request Timeout",
      "HTTP/1.1 408 Request Timeout",
      "HTTP/1.1 408 Request Timeout",
    ]);
    expect(ends.slice(3).map((end) => end.answer)).toEqual(["", "", ""]);
    // And it serves again once they are gone.
    expect(await (await fetch(url(server, "/ping"))).text()).toBe("PONG");
  }, 60_000);
});
