import { describe, expect, it } from "vitest";
import { dotEnvExposure } from "../../../src/config/dotenv-exposure.js";

describe("dotEnvExposure", () => {
  // What Probot's setup mode writes (manifest-creation.js), at the mode a umask of 022 gives it.
  const registered = {
    APP_ID: "123456",
    PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\n…\n-----END RSA PRIVATE KEY-----\n",
    WEBHOOK_SECRET: "a-secret",
    GITHUB_CLIENT_ID: "Iv1.abc",
    GITHUB_CLIENT_SECRET: "0123",
  };

  it("names the credentials a file others may read holds, and the command that closes it", () => {
    expect(dotEnvExposure(0o100644, registered)).toBe(
      ".env holds PRIVATE_KEY, WEBHOOK_SECRET, GITHUB_CLIENT_SECRET and other users of this machine may read it (mode 644): run chmod 600 .env",
    );
    expect(dotEnvExposure(0o100640, { WEBHOOK_SECRET: "s" })).toContain("(mode 640)");
  });

  it("says nothing of a file only its owner reads, or of one that holds no credential", () => {
    expect(dotEnvExposure(0o100600, registered)).toBeUndefined();
    expect(dotEnvExposure(0o100400, registered)).toBeUndefined();
    expect(dotEnvExposure(0o100644, { APP_ID: "1", PRIVATE_KEY: "", LOG_LEVEL: "info" })).toBeUndefined();
  });
});
