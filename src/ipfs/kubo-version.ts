import { fileURLToPath } from "node:url";

/** The one Kubo version nomad-patch is built and tested against. */
export const KUBO_VERSION = "0.43.1";

/** The package's root folder (two levels above `lib/ipfs/` or `src/ipfs/`). */
export const packageRoot = fileURLToPath(new URL("../../", import.meta.url));
