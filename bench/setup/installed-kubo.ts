import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * The Kubo `npm run kubo:install` put in the project's `.tools/` (run from the project's root), for the
 * daemons a bench script starts, unless `KUBO_BIN` names another.
 */
export function useInstalledKubo(): void {
  const installed = join(process.cwd(), ".tools", "bin", "ipfs");
  if (!process.env.KUBO_BIN && existsSync(installed)) process.env.KUBO_BIN = installed;
}
