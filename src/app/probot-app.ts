/**
 * `nomad-patch/app`: the GitHub App as Probot expects an app to be. The default export builds its Kubo
 * node, apply journal and block cache from the environment (README, "Configuration") on first load, so any
 * of these run it:
 *
 * - `probot run ./node_modules/nomad-patch/lib/app/probot-app.js` (Probot's own server);
 * - `createNodeMiddleware(nomadPatch, { probot: createProbot() })` in an existing Node server;
 * - `npm start` in this repository (`lib/app/main.js`, which also stops its managed Kubo with the server).
 *
 * `createApp` takes the store, journal and settings instead, for a program that builds them itself.
 *
 * @packageDocumentation
 */
import type { ApplicationFunction } from "probot";
import { type Environment, readEnvironment } from "../config/environment.js";
import { type AppRuntime, openAppRuntime } from "./app-runtime.js";
import { createApp } from "./index.js";

// `createApp` takes the settings and, from `nomad-patch`, a store and a journal the program builds itself.
export { type AppDeps, createApp } from "./index.js";
export { type Environment, readEnvironment };

/** The Probot application function: nomad-patch on the node the environment names (or a managed one). */
const nomadPatchApp: ApplicationFunction = async (app, options) => {
  const runtime = await openAppRuntime(readEnvironment(), (line) => app.log.info(line));
  if (runtime.managed) stopWithTheProcess(runtime);
  await createApp(runtime.deps)(app, options);
};

export default nomadPatchApp;

/**
 * A managed Kubo is a child daemon that would outlive the server and keep its ports: stop it on SIGINT or
 * SIGTERM, then let the signal do what it would have done (end the process, unless the host handles it).
 */
function stopWithTheProcess(runtime: AppRuntime): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void runtime
        .close()
        .catch(() => {})
        .then(() => {
          if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
        });
    });
  }
}
