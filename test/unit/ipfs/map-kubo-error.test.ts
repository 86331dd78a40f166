import { describe, expect, it } from "vitest";
import {
  InvalidReferenceError,
  IpfsTimeoutError,
  KuboError,
  KuboUnavailableError,
  NotFoundError,
} from "../../../src/ipfs/errors.js";
import { mapKuboError } from "../../../src/ipfs/map-kubo-error.js";

const context = {
  operation: "name resolve k51…",
  apiUrl: "http://127.0.0.1:5001",
  timeoutMs: 1000,
  timedOut: false,
};

describe("mapKuboError", () => {
  it("turns a refused connection into KuboUnavailableError naming the address", () => {
    const refused = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }),
    });
    const mapped = mapKuboError(refused, context);
    expect(mapped).toBeInstanceOf(KuboUnavailableError);
    expect(mapped.message).toContain("http://127.0.0.1:5001");
  });

  it("turns our own abort into IpfsTimeoutError with the bound", () => {
    const mapped = mapKuboError(new DOMException("aborted", "AbortError"), { ...context, timedOut: true });
    expect(mapped).toBeInstanceOf(IpfsTimeoutError);
    expect(mapped.message).toBe("name resolve k51… did not finish within 1000 ms");
  });

  it("recognises Kubo's not-found and invalid-input messages", () => {
    expect(mapKuboError(new Error("could not resolve name"), context)).toBeInstanceOf(NotFoundError);
    expect(mapKuboError(new Error('invalid path "x": invalid cid'), context)).toBeInstanceOf(
      InvalidReferenceError,
    );
  });

  it("keeps Kubo's message for anything else", () => {
    const mapped = mapKuboError(new Error("repo full"), context);
    expect(mapped).toBeInstanceOf(KuboError);
    expect(mapped.message).toBe("Kubo refused name resolve k51…: repo full");
  });
});
