import { UsageError } from "../errors.js";

/**
 * `--kubo` takes the RPC address as Kubo prints it (`/ip4/127.0.0.1/tcp/5001`) or as a URL
 * (`http://127.0.0.1:5001`); the store wants the URL.
 */
export function kuboApiUrl(address: string): string {
  const multiaddr = /^\/(ip4|ip6|dns|dns4|dns6)\/([^/]+)\/tcp\/(\d+)(\/https?)?\/?$/.exec(address.trim());
  if (multiaddr) {
    const [, proto, host = "", port, scheme] = multiaddr;
    const hostPart = proto === "ip6" ? `[${host}]` : host;
    return `${scheme === "/https" ? "https" : "http"}://${hostPart}:${port}`;
  }
  try {
    const url = new URL(address);
    if (url.protocol === "http:" || url.protocol === "https:") return url.origin;
  } catch {}
  throw new UsageError(
    `--kubo takes an RPC address like /ip4/127.0.0.1/tcp/5001 or http://127.0.0.1:5001, got ${JSON.stringify(address)}`,
  );
}
