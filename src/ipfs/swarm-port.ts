import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { KuboDaemonError } from "./kubo-daemon.js";

/**
 * The managed node listens on the swarm port over TCP and QUIC (UDP). Kubo started on a taken port dumps its
 * log, and with only TCP taken it starts without a TCP listener and says nothing: check both first and name
 * the port and the setting. Port 0 lets the system choose, so there is nothing to check. `useRunningNode` is
 * the other way out, in the words of whoever started the node: the app's operator has only the environment,
 * the command line's user also `--kubo`.
 */
export async function checkSwarmPortFree(
  port: number,
  useRunningNode = USE_RUNNING_NODE_FROM_ENVIRONMENT,
): Promise<void> {
  if (port === 0) return;
  const taken: string[] = [];
  if (!(await tcpFree(port))) taken.push("TCP");
  if (!(await udpFree(port))) taken.push("UDP (QUIC)");
  if (taken.length === 0) return;
  throw new KuboDaemonError(
    `The managed Kubo's swarm port ${port} is already in use (${taken.join(" and ")}), perhaps by another IPFS node such as IPFS Desktop`,
    {
      hint: `set NOMAD_PATCH_KUBO_SWARM_PORT to a free port (0 lets the system choose), or ${useRunningNode}`,
    },
  );
}

/** What the app's operator does to use the node that holds the port (the app takes no flags). */
export const USE_RUNNING_NODE_FROM_ENVIRONMENT =
  "set KUBO_API_URL to the RPC address of the node that holds it (Kubo's default: http://127.0.0.1:5001)";

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "0.0.0.0", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => resolve(false));
    socket.bind({ port, address: "0.0.0.0", exclusive: true }, () => socket.close(() => resolve(true)));
  });
}
