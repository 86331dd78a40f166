import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { moduleByName, splitRoamingKeyName } from "../../nomad/index.js";
import {
  formatPairCode,
  generatePairCode,
  type PairCode,
  parsePairCode,
  passwordStrengthBits,
  STRONG_PASSWORD_BITS,
} from "../../nomad/pairing/pair-code.js";
import { type ReceivedPairing, receivePairing } from "../../service/pair/receive-pairing.js";
import { type SentPairing, sendPairing } from "../../service/pair/send-pairing.js";
import { checkKeyArgument, withKeyNamePrefixOption } from "../arguments.js";
import { type CommandContext, type Runner, shellWord } from "../context.js";

interface CodeOptions {
  readonly code?: string;
  readonly room?: string;
  readonly password?: string;
  readonly timeout: string;
}

interface SendOptions extends CodeOptions {
  readonly peer?: string;
}

interface ReceiveOptions extends CodeOptions {
  readonly from?: string;
  readonly target?: string;
  readonly module: string;
  readonly name?: string;
  readonly keyNamePrefix?: string;
}

/** `pair send <target>` and `pair receive`: the C# apps' key exchange (docs/cli.md, "Pairing"). */
export function registerPair(program: Command, run: Runner) {
  const pair = program
    .command("pair")
    .summary("pair devices of a Nomad object, as the C# apps do")
    .description(
      "Hand a Nomad object to a new device (send), or become a device of one (receive), over an encrypted pubsub room: the key exchange of OwlCore.Nomad.Kubo, so either side may be a C# app. Both nodes need Kubo's pubsub (Pubsub.Enabled) and must reach each other.",
    );
  const codeOptions = (command: Command) =>
    command
      .option("--code <code>", "the pair code: room-password, or the C# apps' 8 characters")
      .option("--room <room>", "the room (pubsub topic), with --password, instead of --code")
      .option("--password <password>", "the room's password, with --room")
      .option("--timeout <seconds>", "give up on each wait for the other device after this long", "300");
  codeOptions(
    pair
      .command("send")
      .summary("hand an object this node holds to a new device")
      .description(
        "Send the roaming key to the device that joins the room, then add the local key it answers with as a source (a SourceAdd entry in this device's stream). Without a code, makes one that resists guessing and prints it with the command to run on the new device.",
      )
      .argument("<target>", "the object's roaming key")
      .option(
        "--peer <peerId>",
        "the new device's node id (12D3Koo…, printed by `pair receive`): no other peer is taken",
      ),
  ).action((target: string, options: SendOptions) => run((ctx) => sendCommand(ctx, target, options)));
  codeOptions(
    withKeyNamePrefixOption(
      pair
        .command("receive")
        .summary("become a device of an object another device holds")
        .description(
          "Wait in the room for the device that holds the object, import its roaming key under the module's key name, create this node's local key with an empty stream, and send that key's id back.",
        )
        .requiredOption(
          "--module <module>",
          "the object's module (storage, wac-project, …), as `pair send` prints it",
        )
        .option(
          "--name <name>",
          "the key-name suffix (folder name or KnownId), exactly as on the other device",
        )
        .option("--from <peerId>", "the holder's node id, as `pair send` prints it: no other peer is taken")
        .option(
          "--target <target>",
          "the object's roaming key, as `pair send` prints it: another object's key is refused",
        ),
    ),
  ).action((options: ReceiveOptions) => run((ctx) => receiveCommand(ctx, options)));
}

async function sendCommand(ctx: CommandContext, target: string, options: SendOptions) {
  checkKeyArgument(target, "a target");
  if (options.peer !== undefined) checkPeerId(options.peer, "--peer");
  const timeoutMs = timeoutOption(options.timeout);
  const given = codeOption(options);
  const code = given ?? generatePairCode();
  if (given) warnIfWeak(ctx, given);
  // The code is shown only once this side can pair: a failure to export the key must not leave someone
  // waiting at the other device.
  const showCode = (names: {
    readonly roamingKeyName: string;
    readonly module: string;
    readonly targetId: string;
    readonly peerId: string;
  }) => {
    const flags = `${receiveFlags(names.roamingKeyName, names.module)} --from ${names.peerId} --target ${names.targetId}`;
    ctx.io.stderr.write(
      [
        `Pair code: ${formatPairCode(code)}`,
        "On the new device, run:",
        `  nomad-patch pair receive ${flags} --code ${shellWord(formatPairCode(code))}`,
        ...(options.peer === undefined
          ? [
              "Without --peer the first device to join is taken (and the pairing refused if another answers); name the new device with --peer <the node id `pair receive` prints> to take no other.",
            ]
          : [`Only peer ${options.peer} is taken.`]),
        `Waiting up to ${timeoutMs / 1000} s for it…`,
        "",
      ].join("\n"),
    );
  };
  const sent = await ctx.withStore((store) =>
    sendPairing(
      { store },
      {
        target,
        code,
        ...(options.peer === undefined ? {} : { peer: options.peer }),
        dataDir: ctx.dataDir,
        timeoutMs,
        resolve: { timeoutMs: ctx.env.resolveTimeoutMs },
        progress: ctx.progress,
        onWaiting: showCode,
      },
    ),
  );
  ctx.print(sentText(sent), sent);
}

async function receiveCommand(ctx: CommandContext, options: ReceiveOptions) {
  // Before any node is reached, and before the code's warning: usage first.
  moduleByName(options.module);
  const timeoutMs = timeoutOption(options.timeout);
  const code = codeOption(options);
  if (!code)
    throw new UsageError(
      "pair receive needs the code the other device shows: --code, or --room and --password",
    );
  if (options.from !== undefined) checkPeerId(options.from, "--from");
  if (options.target !== undefined) checkKeyArgument(options.target, "--target");
  warnIfWeak(ctx, code);
  const received = await ctx.withStore((store) =>
    receivePairing(
      { store },
      {
        code,
        module: options.module,
        name: options.name,
        keyNamePrefix: options.keyNamePrefix,
        ...(options.from === undefined ? {} : { from: options.from }),
        ...(options.target === undefined ? {} : { target: options.target }),
        onWaiting: ({ peerId }) => ctx.io.stderr.write(`${receiveWaitingLine(peerId, options)}\n`),
        dataDir: ctx.dataDir,
        timeoutMs,
        resolve: { timeoutMs: ctx.env.resolveTimeoutMs },
        progress: ctx.progress,
      },
    ),
  );
  ctx.print(receivedText(received), received);
}

/**
 * What `pair receive` says as it joins the room. Without `--from` the holder has not named this node yet, and
 * is told how (`pair send --peer`); with it the holder already ran `pair send` (whose line carries `--from`),
 * so the hint to run it again would send the operator back a step: say whom this node waits for instead.
 */
export function receiveWaitingLine(
  peerId: string,
  options: { readonly from?: string; readonly target?: string },
): string {
  if (options.from !== undefined)
    return `This node is peer ${peerId}; waiting for the holder, peer ${options.from}, in the room.`;
  return `This node is peer ${peerId}: the holder can name it with \`pair send ${options.target ?? "<target>"} --peer ${peerId}\`.`;
}

/**
 * The `pair receive` flags that give the new device this device's key names: the module, the prefix when it
 * is not the module's own (a C# app's `KeyNamePrefix`), and the name.
 */
export function receiveFlags(roamingKeyName: string, module: string): string {
  const split = splitRoamingKeyName(roamingKeyName);
  if (!split) return `--module ${module} --name <name>`;
  const prefix =
    split.prefix === moduleByName(module).keyPrefix ? "" : ` --key-name-prefix ${shellWord(split.prefix)}`;
  const name = split.name === undefined ? "" : ` --name ${shellWord(split.name)}`;
  return `--module ${module}${prefix}${name}`;
}

function codeOption(options: CodeOptions): PairCode | undefined {
  if (options.code !== undefined) {
    if (options.room !== undefined || options.password !== undefined)
      throw new UsageError("Pass either --code or --room with --password, not both");
    return parsePairCode(options.code);
  }
  if ((options.room === undefined) !== (options.password === undefined))
    throw new UsageError("--room and --password go together");
  if (options.room === undefined || options.password === undefined) return undefined;
  if (options.room === "" || options.password === "")
    throw new UsageError("--room and --password cannot be empty");
  return { room: options.room, password: options.password };
}

/**
 * A libp2p peer id as Kubo's pubsub names a message's sender (base58btc: `12D3KooW…` for Ed25519, `Qm…` for
 * RSA): the room compares it as text, so any other spelling could never match.
 */
function checkPeerId(text: string, option: string): void {
  if (!/^(12D3KooW|Qm)[1-9A-HJ-NP-Za-km-z]{38,60}$/.test(text))
    throw new UsageError(
      `${option} takes a node's peer id as \`ipfs id\` prints it (12D3KooW…), got ${JSON.stringify(text.slice(0, 120))}`,
    );
}

function timeoutOption(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600)
    throw new UsageError(`--timeout takes seconds between 1 and 3600, got ${JSON.stringify(text)}`);
  return Math.round(seconds * 1000);
}

/** The room carries the roaming PRIVATE key; anyone who recorded it can try passwords offline. */
function warnIfWeak(ctx: CommandContext, code: PairCode) {
  const bits = passwordStrengthBits(code.password);
  if (bits >= STRONG_PASSWORD_BITS) return;
  ctx.io.stderr.write(
    `warning: this code's password has about ${bits} bits; whoever records the room can guess it offline and take the roaming private key. Let \`nomad-patch pair send\` make a code (${STRONG_PASSWORD_BITS}+ bits) unless the other side is an app that only takes short codes.\n`,
  );
}

function sentText(sent: SentPairing): string {
  return [
    `Sent ${sent.targetId} (${sent.roamingKeyName}) to a new device.`,
    sent.sourceAdded
      ? `Its local key ${sent.newSource} is now a source: SourceAdd entry ${sent.entryCid}, roaming value ${sent.roamingCid}.`
      : `Its local key ${sent.newSource} was a source already; nothing was appended.`,
    ...(sent.refused.messages > 0
      ? [
          `warning: ${sent.refused.messages} message(s) from other peers (${sent.refused.peers.join(", ")}) were refused after the key was sent: someone else had this code's password (and could read the roaming key) or replayed the room.`,
        ]
      : []),
  ].join("\n");
}

function receivedText(received: ReceivedPairing): string {
  return [
    `This node is now a device of ${received.targetId} (${received.module}):`,
    `  roaming key  ${received.roamingKeyName} ${received.importedRoamingKey ? "(imported)" : "(already here)"}`,
    `  local key    ${received.localKeyName} ${received.localId}`,
    received.confirmed
      ? "The other device took this node's local key and left the room."
      : "The other device did not leave the room: check there that it added this node's local key as a source.",
    ...(received.knownSources.length > 0 ? [`Known sources: ${received.knownSources.join(", ")}`] : []),
  ].join("\n");
}
