/**
 * The credentials a `.env` may hold. Probot's setup mode writes the app's private key, its webhook secret
 * and its OAuth client secret there (probot/lib/manifest-creation.js), with the process's default mode:
 * 644 under the usual umask, so every user of the machine can read the key that acts as the app.
 */
const CREDENTIALS = ["PRIVATE_KEY", "WEBHOOK_SECRET", "GITHUB_CLIENT_SECRET"] as const;

/**
 * What to say about a `.env` of this mode (`fs.Stats.mode`) holding these values, when users other than
 * its owner may read it and it holds a credential; nothing otherwise. The app only says it: the operator
 * may have opened the file to a group on purpose.
 */
export function dotEnvExposure(mode: number, values: Readonly<Record<string, string>>): string | undefined {
  if ((mode & 0o077) === 0) return undefined;
  const held = CREDENTIALS.filter((name) => (values[name] ?? "") !== "");
  if (held.length === 0) return undefined;
  return `.env holds ${held.join(", ")} and other users of this machine may read it (mode ${(mode & 0o777).toString(8)}): run chmod 600 .env`;
}
