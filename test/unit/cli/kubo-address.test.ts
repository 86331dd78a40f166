import { describe, expect, it } from "vitest";
import { kuboApiUrl } from "../../../src/cli/kubo-address.js";

describe("--kubo addresses", () => {
  it("takes Kubo's multiaddr form and URLs", () => {
    expect(kuboApiUrl("/ip4/127.0.0.1/tcp/5001")).toBe("http://127.0.0.1:5001");
    expect(kuboApiUrl("/ip6/::1/tcp/5001")).toBe("http://[::1]:5001");
    expect(kuboApiUrl("/dns4/kubo.internal/tcp/443/https")).toBe("https://kubo.internal:443");
    expect(kuboApiUrl("http://127.0.0.1:5001/")).toBe("http://127.0.0.1:5001");
  });

  it("refuses anything else as a usage error", () => {
    expect(() => kuboApiUrl("localhost:5001")).toThrow(/--kubo takes an RPC address/);
    expect(() => kuboApiUrl("/ip4/127.0.0.1/udp/5001")).toThrow(expect.objectContaining({ exitCode: 64 }));
  });
});
