import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";

type Middleware = Awaited<ReturnType<Probot["getNodeMiddleware"]>>;

/**
 * Takes a webhook POSTed to `/` as one POSTed to the webhook path. Probot's setup mode registers the app
 * with the address its page was opened at, `${baseUrl}/` (node_modules/probot/lib/manifest-creation.js,
 * `getManifest`), while its server takes webhooks only at `/api/github/webhooks`: an app registered the
 * README's way would get a 404 for every event. Only a POST carrying GitHub's event header is taken;
 * the signature is then checked as at the webhook path.
 */
export function takeWebhooksAtRoot(probot: Probot): void {
  const inner = probot.getNodeMiddleware.bind(probot);
  probot.getNodeMiddleware = async (options) => {
    const middleware = (await inner(options)) as Middleware;
    const path = options?.path ?? probot.webhookPath;
    return (req: IncomingMessage, res: ServerResponse, ...rest: unknown[]) => {
      const next = rest[0] as Parameters<Middleware>[2];
      if (req.method === "POST" && isRoot(req.url) && req.headers["x-github-event"] !== undefined)
        req.url = path;
      return middleware(req, res, next);
    };
  };
}

const isRoot = (url: string | undefined) => url === "/" || url?.startsWith("/?") === true;
