import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import { daemonPid, freePort, isAlive, mainJs, startApp } from "./app-process.js";
import { postStreamed } from "./post-streamed.js";

// The README's run command ends in `node lib/app/main.js`; this runs that file as a user would.

describe("the app's start command", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  // The node an operator runs and names in KUBO_API_URL: one for the file, as an operator's node outlives
  // many app starts. Each test gets a data directory of its own; none needs an empty repository.
  let node: KuboNode;
  beforeAll(async () => {
    node = await startKubo();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it("is built (the test command builds it first)", () => {
    expect(existsSync(mainJs), `${mainJs} is missing: run \`npm run build\``).toBe(true);
  });

  it("without credentials starts Probot's setup mode with a managed Kubo, and stops both on Ctrl-C", async () => {
    const dataDir = await tempDir(cleanups);
    const app = await startApp({ NOMAD_PATCH_DATA_DIR: dataDir, NOMAD_PATCH_KUBO_SWARM_PORT: "0" }, cleanups);
    await app.waitFor(/Listening on/);
    expect(app.output()).toMatch(/started a managed Kubo 0\.43\.1/);
    expect(app.output()).toMatch(/setup mode/);
    // Probot's smee.io channel needs `npx`; under `npm start` it could only warn that it is missing.
    expect(app.output()).not.toContain("SmeeClient is not available");
    expect(app.output()).toContain("setup mode: no webhook proxy");
    expect(await (await fetch(`${app.url}/ping`)).text()).toBe("PONG");

    const kuboPid = await daemonPid(join(dataDir, "kubo"));
    expect(isAlive(kuboPid)).toBe(true);
    app.child.kill("SIGINT");
    expect(await app.exitCode).toBe(0);
    expect(app.output()).toMatch(/managed Kubo stopped/);
    expect(isAlive(kuboPid)).toBe(false);
  });

  it("`npm start` stopped with SIGTERM (as `timeout` or a process manager stops npm) stops the app and its Kubo", async () => {
    const dataDir = await tempDir(cleanups);
    // Whatever outlives npm is found by the data directory in its environment, and killed after the test.
    cleanups.push(async () => killProcessesWith(`NOMAD_PATCH_DATA_DIR=${dataDir}`));
    const app = await startApp(
      { NOMAD_PATCH_DATA_DIR: dataDir, NOMAD_PATCH_KUBO_SWARM_PORT: "0" },
      cleanups,
      ["npm", "start"],
    );
    await app.waitFor(/Listening on/, 280_000);
    const kuboPid = await daemonPid(join(dataDir, "kubo"));
    const { port } = new URL(app.url);

    app.child.kill("SIGTERM");
    await app.exitCode;
    await until(async () => !isAlive(kuboPid) && !(await listening(Number(port))));
    expect(await listening(Number(port))).toBe(false);
    expect(isAlive(kuboPid)).toBe(false);
    expect(await processesWith(`NOMAD_PATCH_DATA_DIR=${dataDir}`)).toEqual([]);
  }, 360_000); // `npm start` builds the project first (tsc takes minutes on a busy machine)

  it("with KUBO_API_URL uses that node and starts none", async () => {
    const dataDir = await tempDir(cleanups);
    const app = await startApp({ NOMAD_PATCH_DATA_DIR: dataDir, KUBO_API_URL: node.apiUrl }, cleanups);
    await app.waitFor(/Listening on/);
    expect(app.output()).toContain(`using the Kubo node at ${node.apiUrl} (peer ${node.peerId})`);
    expect(existsSync(join(dataDir, "kubo"))).toBe(false);
    app.child.kill("SIGINT");
    expect(await app.exitCode).toBe(0);
    // The node we were given is still running.
    expect((await node.store.id()).peerId).toBe(node.peerId);
  });

  it("with credentials refuses webhook bodies over GitHub's 25 MB before reading them (npm start, Docker)", async () => {
    const dataDir = await tempDir(cleanups);
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const app = await startApp(
      {
        NOMAD_PATCH_DATA_DIR: dataDir,
        KUBO_API_URL: node.apiUrl,
        APP_ID: "1",
        PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
        WEBHOOK_SECRET: "a-webhook-secret",
      },
      cleanups,
    );
    await app.waitFor(/Listening on/);
    expect(app.output()).not.toMatch(/setup mode/);
    // One line, naming the address the operator configured; the loopback server behind it is not theirs.
    const { port } = new URL(app.url);
    expect(app.output().match(/Listening on .*/g)).toEqual([
      `Listening on http://localhost:${port} (webhooks answered on a thread of their own)`,
    ]);
    // What is not a delivery is answered by Probot's side behind the thread, as Probot's server answers it.
    expect(await (await fetch(`${app.url}/ping`)).text()).toBe("PONG");
    expect((await fetch(`${app.url}/no-such-page`)).status).toBe(404);
    const webhooks = `${app.url}/api/github/webhooks`;
    const huge = 30 * 1024 * 1024;
    expect((await postStreamed(webhooks, { chunked: true, bytes: huge })).status).toBe(413);
    expect((await postStreamed(webhooks, { chunked: false, bytes: huge })).status).toBe(413);
    // A small body is read and judged by its signature as before.
    expect((await postStreamed(webhooks, { chunked: true, bytes: 1024 })).status).toBe(400);
  });

  it("says which port is taken when another process holds it, and the test helper starts it again on another", async () => {
    const dataDir = await tempDir(cleanups);
    // What a busy machine does between the helper's probe and the app's listen: someone else takes the port.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "localhost", resolve));
    cleanups.push(() => new Promise((resolve) => taken.close(() => resolve())));
    const takenPort = (taken.address() as AddressInfo).port;
    const ports = [takenPort];
    const app = await startApp(
      { NOMAD_PATCH_DATA_DIR: dataDir, KUBO_API_URL: node.apiUrl },
      cleanups,
      undefined,
      () => (ports.length > 0 ? Promise.resolve(ports.shift() as number) : freePort()),
    );
    await app.waitFor(/Listening on/);
    expect(app.output()).toContain(`Port ${takenPort} is already in use`);
    const { port } = new URL(app.url);
    expect(Number(port)).not.toBe(takenPort);
    expect(app.output()).toContain(`Listening on http://localhost:${port}`);
    expect(await (await fetch(`${app.url}/ping`)).text()).toBe("PONG");
  });

  it("stops with 69 and what to do when its PORT is taken (a second app given its own data directory but the same PORT), with or without credentials", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "localhost", resolve));
    cleanups.push(() => new Promise((resolve) => taken.close(() => resolve())));
    const port = String((taken.address() as AddressInfo).port);
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const credentials = {
      APP_ID: "1",
      PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      WEBHOOK_SECRET: "a-webhook-secret",
    };
    for (const settings of [credentials, {}]) {
      const dataDir = await tempDir(cleanups);
      const app = await startApp(
        { NOMAD_PATCH_DATA_DIR: dataDir, KUBO_API_URL: node.apiUrl, PORT: port, ...settings },
        cleanups,
      );
      expect(await app.exitCode, app.output()).toBe(69);
      expect(app.output()).toContain(`Port ${port} is already in use`);
      expect(app.output()).toContain(
        "another process listens on it (a second app needs a PORT of its own as well as a NOMAD_PATCH_DATA_DIR of its own): stop it, or set PORT to a free port",
      );
      expect(app.output()).not.toContain("Listening on");
      // Setup mode never served: nothing may read as if it had.
      expect(app.output()).not.toContain("setup mode: no webhook proxy");
    }
  });

  it("stops with 69 when the managed node's swarm port is taken, naming the app's own settings (no CLI flag) and starting no Kubo", async () => {
    const dataDir = await tempDir(cleanups);
    // IPFS Desktop on the same machine holds 4001: here another process holds the port the app would take.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "0.0.0.0", resolve));
    cleanups.push(() => new Promise((resolve) => taken.close(() => resolve())));
    const swarmPort = (taken.address() as AddressInfo).port;
    const app = await startApp(
      { NOMAD_PATCH_DATA_DIR: dataDir, NOMAD_PATCH_KUBO_SWARM_PORT: String(swarmPort) },
      cleanups,
    );
    expect(await app.exitCode, app.output()).toBe(69);
    const output = app.output();
    expect(output).toContain(`The managed Kubo's swarm port ${swarmPort} is already in use (TCP)`);
    expect(output).toContain(
      "set NOMAD_PATCH_KUBO_SWARM_PORT to a free port (0 lets the system choose), or set KUBO_API_URL to the RPC address of the node that holds it",
    );
    // The app has no command-line flags: its operator sets the environment or .env.
    expect(output).not.toContain("--kubo");
    expect(output).not.toMatch(/started a managed Kubo|Listening on|setup mode: no webhook/);
    expect(existsSync(join(dataDir, "kubo", "api"))).toBe(false);
  });

  it("refuses a second app on the same data directory, naming the first one's pid, and takes over a dead one's lock", async () => {
    const dataDir = await tempDir(cleanups);
    const env = { NOMAD_PATCH_DATA_DIR: dataDir, KUBO_API_URL: node.apiUrl };
    const first = await startApp(env, cleanups);
    await first.waitFor(/Listening on/);
    expect(Number(await readFile(join(dataDir, "app.lock"), "utf8"))).toBe(first.child.pid);

    const second = await startApp(env, cleanups);
    expect(await second.exitCode).toBe(75);
    expect(second.output()).toContain(
      `Another nomad-patch app (pid ${first.child.pid}) uses the data directory`,
    );
    expect(second.output()).not.toMatch(/Listening on/);
    // The refused process left the first one's lock alone.
    expect(Number(await readFile(join(dataDir, "app.lock"), "utf8"))).toBe(first.child.pid);

    first.child.kill("SIGINT");
    expect(await first.exitCode).toBe(0);
    expect(existsSync(join(dataDir, "app.lock"))).toBe(false);

    // A process that died holding the lock (killed, crashed) leaves it behind: the next start takes it over.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    expect(isAlive(gone)).toBe(false);
    await writeFile(join(dataDir, "app.lock"), String(gone));
    const third = await startApp(env, cleanups);
    await third.waitFor(/Listening on/);
    expect(third.output()).toContain(`left by a process that is gone (pid ${gone}): taken over`);
    expect(Number(await readFile(join(dataDir, "app.lock"), "utf8"))).toBe(third.child.pid);
  });

  it("refuses GitHub App settings Probot would turn into setup mode or another port, naming each, before any Kubo starts", async () => {
    const dataDir = await tempDir(cleanups);
    const missing = join(dataDir, "missing.pem");
    const app = await startApp(
      { NOMAD_PATCH_DATA_DIR: dataDir, APP_ID: "my-app", PRIVATE_KEY_PATH: missing, PORT: "http" },
      cleanups,
    );
    expect(await app.exitCode).toBe(64);
    const output = app.output();
    expect(output).toContain("Invalid GitHub App settings");
    expect(output).toContain(`PORT: expected a port number from 1 to 65535, got "http"`);
    expect(output).toContain(`APP_ID: expected the GitHub App's numeric App ID`);
    expect(output).toContain(`PRIVATE_KEY_PATH: cannot read ${missing} (ENOENT)`);
    expect(output).toContain("then start the app again");
    expect(output).not.toMatch(
      /started a managed Kubo|setup mode: no webhook|Probot is in setup mode|Listening on/,
    );
    expect(existsSync(join(dataDir, "kubo"))).toBe(false);
  });

  it("warns when the .env setup mode wrote (the app's private key in it) may be read by other users, and reads it all the same", async () => {
    const dataDir = await tempDir(cleanups);
    const workDir = await tempDir(cleanups);
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    // As Probot's setup mode writes it (update-env.js: newlines escaped, the key in double quotes), at the
    // mode a umask of 022 leaves; an App ID that is not a number stops the app before any Kubo starts.
    const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString().replace(/\n/g, "\\n");
    const env = join(workDir, ".env");
    await writeFile(env, `APP_ID=my-app\nPRIVATE_KEY="${pem}"\nWEBHOOK_SECRET=a-secret`, { mode: 0o644 });
    await chmod(env, 0o644);
    const exposed = await startApp(
      { NOMAD_PATCH_DATA_DIR: dataDir },
      cleanups,
      undefined,
      undefined,
      workDir,
    );
    expect(await exposed.exitCode).toBe(64);
    expect(exposed.output()).toContain(
      "[nomad-patch] .env holds PRIVATE_KEY, WEBHOOK_SECRET and other users of this machine may read it (mode 644): run chmod 600 .env",
    );
    // The key in it was read: only the App ID is named as wrong.
    expect(exposed.output()).toContain("APP_ID: expected the GitHub App's numeric App ID");
    expect(exposed.output()).not.toContain("PRIVATE_KEY:");

    await chmod(env, 0o600);
    const closed = await startApp({ NOMAD_PATCH_DATA_DIR: dataDir }, cleanups, undefined, undefined, workDir);
    expect(await closed.exitCode).toBe(64);
    expect(closed.output()).not.toContain("other users of this machine may read it");
  });

  it("refuses a data directory this user cannot have (the guide's /srv/nomad-patch without root) with 64 and the setting, before any Kubo starts", async () => {
    const parent = await tempDir(cleanups);
    // A path through a file: what EACCES is for a user without root, for any user (tests may run as root).
    const file = join(parent, "not-a-directory");
    await writeFile(file, "");
    const dataDir = join(file, "nomad-patch");
    const app = await startApp({ NOMAD_PATCH_DATA_DIR: dataDir }, cleanups);
    expect(await app.exitCode, app.output()).toBe(64);
    expect(app.output()).toContain(
      `[nomad-patch] The data directory ${dataDir} cannot be used by this user (`,
    );
    expect(app.output()).toContain(
      "[nomad-patch] set NOMAD_PATCH_DATA_DIR to a directory this user may write, or have this one created and owned by this user",
    );
    expect(app.output()).not.toContain("--data-dir");
    expect(app.output()).not.toMatch(/started a managed Kubo|Listening on|setup mode: no webhook/);
  });

  it("refuses to start without credentials under NODE_ENV=production (as the Docker image runs), with 64 and before any Kubo starts", async () => {
    const dataDir = await tempDir(cleanups);
    const app = await startApp({ NOMAD_PATCH_DATA_DIR: dataDir, NODE_ENV: "production" }, cleanups);
    expect(await app.exitCode, app.output()).toBe(64);
    expect(app.output()).toContain(
      "no GitHub App credentials: under NODE_ENV=production Probot has no setup mode",
    );
    expect(app.output()).not.toMatch(/started a managed Kubo|setup mode: no webhook|Listening on/);
    expect(existsSync(join(dataDir, "kubo"))).toBe(false);
  });

  it("names every setting it cannot use in one start: a production app without WEBHOOK_SECRET, a key file that is not there, a bound out of range", async () => {
    const dataDir = await tempDir(cleanups);
    const missing = join(dataDir, "missing.pem");
    const app = await startApp(
      {
        NOMAD_PATCH_DATA_DIR: dataDir,
        NODE_ENV: "production",
        APP_ID: "12345",
        PRIVATE_KEY_PATH: missing,
        NOMAD_PATCH_MAX_ENTRIES: "0",
      },
      cleanups,
    );
    expect(await app.exitCode, app.output()).toBe(64);
    const output = app.output();
    expect(output).toContain("[nomad-patch] Invalid environment settings:");
    expect(output).toContain("- NOMAD_PATCH_MAX_ENTRIES: ");
    expect(output).toContain(
      "- WEBHOOK_SECRET must be set in production: without it anyone could forge webhooks",
    );
    expect(output).toContain("Invalid GitHub App settings:");
    expect(output).toContain(`- PRIVATE_KEY_PATH: cannot read ${missing} (ENOENT)`);
    // One hint for the lot, on a line of its own.
    expect(output.match(/^\[nomad-patch\] fix them in the environment.*$/gm)).toHaveLength(1);
    expect(output).not.toMatch(/started a managed Kubo|setup mode|Listening on/);
    expect(existsSync(join(dataDir, "kubo"))).toBe(false);
  });

  it("refuses an APP_ID without a private key instead of starting setup mode", async () => {
    const dataDir = await tempDir(cleanups);
    const app = await startApp({ NOMAD_PATCH_DATA_DIR: dataDir, APP_ID: "12345" }, cleanups);
    expect(await app.exitCode).toBe(64);
    expect(app.output()).toContain("APP_ID is set without a private key: set PRIVATE_KEY_PATH");
    expect(app.output()).not.toMatch(/setup mode: no webhook|Probot is in setup mode|Listening on/);
  });

  it("refuses to start when KUBO_API_URL has no daemon behind it", async () => {
    const dataDir = await tempDir(cleanups);
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const app = await startApp({ NOMAD_PATCH_DATA_DIR: dataDir, KUBO_API_URL: nobody }, cleanups);
    expect(await app.exitCode).toBe(69);
    expect(app.output()).toContain(`No Kubo daemon answers at ${nobody}`);
  });
});

async function tempDir(cleanups: Array<() => Promise<void>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "nomad-patch-app-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Processes whose environment holds `entry` (Linux /proc, as CI). */
async function processesWith(entry: string): Promise<number[]> {
  const { readdir } = await import("node:fs/promises");
  const found: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const environ = await readFile(`/proc/${name}/environ`, "utf8").catch(() => "");
    if (environ.split("\0").includes(entry)) found.push(Number(name));
  }
  return found;
}

async function killProcessesWith(entry: string): Promise<void> {
  for (const pid of await processesWith(entry)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
}

async function listening(port: number): Promise<boolean> {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const socket = connect({ host: "localhost", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Polls a condition a stopping process makes true; gives up after a while (the assertions then fail). */
async function until(condition: () => Promise<boolean>, attempts = 150): Promise<void> {
  for (let i = 0; i < attempts && !(await condition()); i++)
    await new Promise((resolve) => setTimeout(resolve, 100));
}
