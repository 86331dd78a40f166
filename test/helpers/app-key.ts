import { generateKeyPairSync } from "node:crypto";
import { appMarkerSigner } from "../../src/app/marker-signer.js";

/**
 * A GitHub App private key for tests, made once per test file: the app derives the key that signs its
 * comments from it, as it does from the real one, so what a test reads back verifies only if the app
 * wrote it.
 */
export const TEST_APP_PRIVATE_KEY = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();

/** The signer the app makes from `TEST_APP_PRIVATE_KEY`. */
export const testAppSigner = appMarkerSigner(TEST_APP_PRIVATE_KEY);
