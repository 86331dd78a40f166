import type { Probot } from "probot";

/**
 * The bot's login (`{slug}[bot]`), asked of GitHub once as the app itself (`GET /app`) and kept.
 * A failed lookup is not kept, so the next job asks again.
 */
export function botLoginFromGitHub(app: Probot): () => Promise<string> {
  let login: Promise<string> | undefined;
  return () => {
    login ??= (async () => {
      const octokit = await app.auth();
      const { data } = await octokit.rest.apps.getAuthenticated();
      if (!data?.slug) throw new Error("nomad-patch: GET /app returned no slug");
      return `${data.slug}[bot]`;
    })().catch((error: unknown) => {
      login = undefined;
      throw error;
    });
    return login;
  };
}
