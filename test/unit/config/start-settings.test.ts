import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkStartSettings } from "../../../src/config/start-settings.js";
import { UsageError } from "../../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "nomad-patch-start-settings-"));
const keyFile = join(dir, "app.pem");
writeFileSync(
  keyFile,
  generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" }),
);

function refusal(env: NodeJS.ProcessEnv): UsageError {
  try {
    checkStartSettings(env);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("the settings were accepted");
}

describe("checkStartSettings", () => {
  it("returns the environment and the credentials when both are usable", () => {
    const settings = checkStartSettings({
      HOME: "/home/op",
      NODE_ENV: "production",
      APP_ID: "12345",
      PRIVATE_KEY_PATH: keyFile,
      WEBHOOK_SECRET: "a-secret",
    });
    expect(settings.credentials).toEqual({ setupMode: false });
    expect(settings.environment).toMatchObject({
      production: true,
      dataDir: "/home/op/.local/share/nomad-patch",
    });
  });

  it("names the problems of both checks in one error when both refuse, with one hint, exit 64", () => {
    const missing = join(dir, "missing.pem");
    const error = refusal({
      NODE_ENV: "production",
      APP_ID: "12345",
      PRIVATE_KEY_PATH: missing,
      NOMAD_PATCH_MAX_ENTRIES: "0",
      PORT: "http",
    });
    expect(error.exitCode).toBe(64);
    const lines = error.message.split("\n");
    expect(lines[0]).toBe("Invalid environment settings:");
    expect(lines).toContain(
      "- WEBHOOK_SECRET must be set in production: without it anyone could forge webhooks",
    );
    expect(lines.some((line) => line.startsWith("- NOMAD_PATCH_MAX_ENTRIES: "))).toBe(true);
    expect(lines).toContain("Invalid GitHub App settings:");
    expect(lines).toContain(`- PRIVATE_KEY_PATH: cannot read ${missing} (ENOENT)`);
    expect(lines).toContain(`- PORT: expected a port number from 1 to 65535, got "http"`);
    expect(error.hint).toMatch(/^fix them in the environment or in \.env/);
  });

  it("throws one check's refusal as it is when the other passes", () => {
    const credentials = refusal({ APP_ID: "my-app", PRIVATE_KEY_PATH: keyFile });
    expect(credentials.message).toMatch(/^Invalid GitHub App settings:\n- APP_ID: /);
    expect(credentials.message).not.toContain("Invalid environment settings");
    const environment = refusal({ NOMAD_PATCH_MAX_ENTRIES: "-1" });
    expect(environment.message).toMatch(/^Invalid environment settings:\n- NOMAD_PATCH_MAX_ENTRIES: /);
    expect(environment.message).not.toContain("GitHub App");
  });
});
