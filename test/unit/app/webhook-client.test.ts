import { describe, expect, it } from "vitest";
import { clientOf } from "../../../src/app/webhook-body-limit.js";

describe("whom a webhook body's bytes are counted for", () => {
  it("an IPv4 address, also written as IPv4-mapped IPv6", () => {
    expect(clientOf("192.0.2.7")).toBe("192.0.2.7");
    expect(clientOf("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(clientOf("::FFFF:192.0.2.7")).toBe("192.0.2.7");
    expect(clientOf("192.0.2.8")).not.toBe(clientOf("192.0.2.7"));
  });

  it("an IPv6 address's /64, however it is written: one host cannot take a share per address", () => {
    const one = clientOf("2001:db8:1:2::1");
    expect(one).toBe("2001:db8:1:2::/64");
    expect(clientOf("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe(one);
    expect(clientOf("2001:0DB8:0001:0002:0:0:0:9")).toBe(one);
    expect(clientOf("2001:db8:1:2::1%eth0")).toBe(one);
    expect(clientOf("2001:db8:1:3::1")).not.toBe(one);
    expect(clientOf("::1")).toBe("0:0:0:0::/64");
    expect(clientOf("2001:db8::")).toBe("2001:db8:0:0::/64");
  });

  it("a socket without an address (already closed) is one client of its own kind", () => {
    expect(clientOf(undefined)).toBe("");
  });
});
