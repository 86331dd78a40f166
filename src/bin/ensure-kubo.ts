#!/usr/bin/env node
// Installs (or finds) the pinned Kubo; the README's commands run this before anything else.
import { ensureKubo } from "../ipfs/kubo-install.js";

const log = (line: string) => process.stderr.write(`[kubo] ${line}\n`);
try {
  const kubo = await ensureKubo({ log });
  log(`using Kubo ${kubo.version} (${kubo.source}): ${kubo.path}`);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(69);
}
