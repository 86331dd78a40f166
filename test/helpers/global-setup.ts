import { ensureKubo } from "../../src/ipfs/kubo-install.js";

/**
 * Integration tests need a real Kubo. The test command installs it before vitest starts;
 * this makes a bare `vitest run` do the same, and fail loudly (never skip) without one.
 */
export default async function setup(): Promise<void> {
  await ensureKubo({ log: (line) => process.stderr.write(`[kubo] ${line}\n`) });
}
