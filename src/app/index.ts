import type { ApplicationFunction, Probot } from "probot";
import type { Environment } from "../config/environment.js";
import type { IpfsStore } from "../ipfs/store.js";

/** What the GitHub App needs from its surroundings, passed in (never imported from module scope). */
export interface AppDeps {
  readonly store: IpfsStore;
  readonly environment: Environment;
}

/** The Probot application: registrations only; the work lives in `handlers/` and `service/`. */
export function createApp(deps: AppDeps): ApplicationFunction {
  return (app: Probot) => {
    app.log.info({ dataDir: deps.environment.dataDir }, "nomad-patch loaded");
  };
}
