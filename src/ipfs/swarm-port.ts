import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { KuboDaemonError } from "./kubo-daemon.js";

/**
 * The managed node listens on the swarm port over TCP and QUIC (UDP). Kubo started on a taken port dumps its
 * log, and with only TCP taken it starts without a TCP listener and says nothing: check both first and name
 * the port and the setting. Port 0 lets the system choose, so there is nothing to check.
 */
export async function checkSwarmPortFree(port: number): Promise<void> {
  if (port === 0) return;
  const taken: string[] = [];
  if (!(await tcpFree(port))) taken.push("TCP");
  if (!(await udpFree(port))) taken.push("UDP (QUIC)");
  if (taken.length === 0) return;
  throw new KuboDaemonError(
    `The managed Kubo's swarm port ${port} is already in use (${taken.join(" and ")}), perhaps by another IPFS node such as IPFS Desktop`,
    {
      hint: "set NOMAD_PATCH_KUBO_SWARM_PORT to a free port (0 lets the system choose), or point --kubo / KUBO_API_URL at the node that holds it",
    },
  );
}

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
