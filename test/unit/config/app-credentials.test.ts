import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkAppCredentials } from "../../../src/config/app-credentials.js";

const pem = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({
  type: "pkcs1",
  format: "pem",
}) as string;
const dir = mkdtempSync(join(tmpdir(), "nomad-patch-credentials-"));
const keyFile = join(dir, "app.pem");
writeFileSync(keyFile, pem);
const notAKey = join(dir, "notes.txt");
writeFileSync(notAKey, "APP_ID=1\n");

describe("checkAppCredentials", () => {
  it("is setup mode without credentials, empty values counting as unset (as .env.example leaves them)", () => {
    expect(checkAppCredentials({})).toEqual({ setupMode: true });
    expect(checkAppCredentials({ APP_ID: "", PRIVATE_KEY_PATH: " ", PORT: "" })).toEqual({ setupMode: true });
  });

  it("refuses no credentials under NODE_ENV=production (the Docker image), where Probot has no setup mode", () => {
    let error: (Error & { exitCode?: number; hint?: string }) | undefined;
    try {
      checkAppCredentials({ NODE_ENV: "production" });
    } catch (caught) {
      error = caught as typeof error;
    }
    expect(error?.exitCode).toBe(64);
    expect(error?.message).toContain(
      "no GitHub App credentials: under NODE_ENV=production Probot has no setup mode; set APP_ID, PRIVATE_KEY_PATH (or PRIVATE_KEY) and WEBHOOK_SECRET",
    );
    expect(checkAppCredentials({ NODE_ENV: "development" })).toEqual({ setupMode: true });
  });

  it("runs the app with a numeric APP_ID and a PEM key, from a file, as text or base64", () => {
    expect(checkAppCredentials({ APP_ID: "12345", PRIVATE_KEY_PATH: keyFile, PORT: "3000" })).toEqual({
      setupMode: false,
    });
    expect(checkAppCredentials({ APP_ID: "1", PRIVATE_KEY: pem.replace(/\n/g, "\\n") }).setupMode).toBe(
      false,
    );
    expect(
      checkAppCredentials({ APP_ID: "1", PRIVATE_KEY: Buffer.from(pem).toString("base64") }).setupMode,
    ).toBe(false);
  });

  it("lists every setting it cannot use at once, with the next step", () => {
    let error: (Error & { exitCode?: number; hint?: string }) | undefined;
    try {
      checkAppCredentials({ APP_ID: "Iv1.abc", PRIVATE_KEY_PATH: notAKey, PORT: "70000" });
    } catch (caught) {
      error = caught as typeof error;
    }
    expect(error?.exitCode).toBe(64);
    expect(error?.message).toContain('PORT: expected a port number from 1 to 65535, got "70000"');
    expect(error?.message).toContain(`APP_ID: expected the GitHub App's numeric App ID`);
    expect(error?.message).toContain(`PRIVATE_KEY_PATH: ${notAKey} does not hold a PEM private key`);
    expect(error?.hint).toContain("start the app again");
  });

  it("refuses half the credentials instead of falling into setup mode", () => {
    expect(() => checkAppCredentials({ APP_ID: "7" })).toThrow(/APP_ID is set without a private key/);
    expect(() => checkAppCredentials({ PRIVATE_KEY_PATH: keyFile })).toThrow(
      /a private key is set without APP_ID/,
    );
    expect(() => checkAppCredentials({ APP_ID: "7", PRIVATE_KEY: "not a key" })).toThrow(
      /PRIVATE_KEY: expected the text of a PEM private key/,
    );
    expect(() => checkAppCredentials({ APP_ID: "7", PRIVATE_KEY_PATH: join(dir, "gone.pem") })).toThrow(
      /PRIVATE_KEY_PATH: cannot read .*gone\.pem \(ENOENT\)/,
    );
  });
});
