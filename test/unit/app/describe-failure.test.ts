import { describe, expect, it } from "vitest";
import { describeFailure, describeRecordedFailure } from "../../../src/app/describe-failure.js";
import { DecodeError } from "../../../src/errors.js";
import { IpfsTimeoutError, KuboUnavailableError, NotFoundError } from "../../../src/ipfs/errors.js";
import { UnfinishedApplyError } from "../../../src/service/apply-errors.js";

const httpError = (status: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error("GitHub"), { name: "HttpError", status, response: { headers } });

describe("describeFailure", () => {
  it("names each IPFS failure and what the reader can do", () => {
    expect(describeFailure(new KuboUnavailableError("http://127.0.0.1:5001"))).toMatchObject({
      code: "KUBO_UNAVAILABLE",
      message: expect.stringContaining("IPFS node cannot be reached"),
    });
    expect(describeFailure(new IpfsTimeoutError("resolve k51…", 20_000))).toMatchObject({
      code: "TIMEOUT",
      message: expect.stringContaining("within 20000 ms"),
      hint: expect.stringContaining("online"),
    });
    expect(describeFailure(new NotFoundError("The key does not resolve"))).toMatchObject({
      code: "NOT_FOUND",
      message: "The key does not resolve.",
      hint: expect.stringContaining("Publish it"),
    });
    expect(describeFailure(new DecodeError("Expected a map"))).toMatchObject({
      message: expect.stringContaining("does not hold a patch request: Expected a map"),
      hint: expect.stringContaining("nomad-patch propose"),
    });
  });

  it("keeps the error's own hint, as a sentence, for errors it has no words of its own for", () => {
    const error = new UnfinishedApplyError("k51target", [
      { patchKey: "k51first", patchCid: "bafyfirst", state: "local-published" },
    ]);
    expect(describeFailure(error)).toMatchObject({
      code: "UNFINISHED_APPLY",
      message: expect.stringContaining("k51first (version bafyfirst, local-published)"),
      hint: "Finish it by approving it again on its issue, or with `nomad-patch apply k51first`; then approve this patch again.",
    });
  });

  it("tells GitHub's rate limit from its other errors, and a bug from both", () => {
    expect(describeFailure(httpError(403, { "x-ratelimit-remaining": "0" })).code).toBe("RATE_LIMITED");
    expect(describeFailure(httpError(403)).code).toBe("GITHUB");
    expect(describeFailure(httpError(429)).code).toBe("RATE_LIMITED");
    expect(describeFailure(httpError(500))).toMatchObject({
      code: "GITHUB",
      message: expect.stringContaining("500"),
    });
    expect(describeFailure(new TypeError("x")).code).toBe("INTERNAL");
  });

  it("tells a permission the app was not given from GitHub's other refusals, naming the one the call needs", () => {
    // GitHub's answer to an installation token without the permission a call needs.
    const missing = (headers: Record<string, string>) =>
      Object.assign(new Error("Resource not accessible by integration - https://docs.github.com/rest"), {
        name: "HttpError",
        status: 403,
        response: { headers, data: { message: "Resource not accessible by integration" } },
      });
    expect(describeFailure(missing({ "x-accepted-github-permissions": "contents=read" }))).toEqual({
      code: "GITHUB_PERMISSION",
      message:
        "GitHub refused the bot a call that the app's permissions do not cover (it needs contents=read).",
      hint: "The app's owner grants the permissions app.yml lists (issues: write, contents: read, metadata: read) on the app's settings page (Permissions and events), and the installation's owner accepts them.",
    });
    // A header that is not a list of permissions is not repeated on the issue.
    expect(describeFailure(missing({ "x-accepted-github-permissions": "<img src=x> `" })).message).toBe(
      "GitHub refused the bot a call that the app's permissions do not cover.",
    );
    // A rate limit is still a rate limit, and any other 403 stays GitHub's.
    expect(describeFailure(missing({ "x-ratelimit-remaining": "0" })).code).toBe("RATE_LIMITED");
    expect(describeFailure(httpError(403)).code).toBe("GITHUB");
  });
});

describe("describeRecordedFailure", () => {
  it("says a failure the journal kept as the error was said live", () => {
    const errors = [
      new KuboUnavailableError("http://127.0.0.1:5001"),
      new IpfsTimeoutError("resolve k51…", 20_000),
      new NotFoundError("The key does not resolve"),
      new UnfinishedApplyError("k51target", []),
    ];
    for (const error of errors) {
      const kept = { code: error.code, message: error.message, hint: error.hint };
      expect(describeRecordedFailure(kept)).toEqual(describeFailure(error));
    }
  });

  it("says a failure kept without a code (not one of the project's errors) as unexpected, as live", () => {
    expect(describeRecordedFailure({ message: "x" })).toEqual(describeFailure(new TypeError("x")));
  });
});
