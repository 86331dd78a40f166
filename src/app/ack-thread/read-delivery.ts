import { createHmac, timingSafeEqual } from "node:crypto";
import { type AppEvent, EVENTS, issuePayloadSchema, type QueuedEvent, slimPayload } from "../disk-queue.js";

/** What to do with one POST to the webhook path, judged from its headers and body alone. */
export type DeliveryVerdict =
  /**
   * Refused: answered with `status` and the JSON `{ error }`, nothing kept, nothing handled. `hint` is for
   * the operator's log only: what to check when the refusal is likely their own setting's doing.
   */
  | { readonly kind: "refused"; readonly status: number; readonly error: string; readonly hint?: string }
  /** Signed and well formed, but not an event the app handles (`push`, `issues.assigned`): answered 200. */
  | { readonly kind: "ignored" }
  /** An event to keep on disk, answer, and hand to the app. */
  | { readonly kind: "accepted"; readonly event: QueuedEvent };

/** The headers GitHub sends with every delivery, as @octokit/webhooks's middleware requires them. */
const REQUIRED = ["x-github-event", "x-hub-signature-256", "x-github-delivery"] as const;
const JSON_TYPE = /^\s*application\/json(?:;|\s|$)/i;
/** The delivery ids a record may carry (disk-queue.ts); GitHub's are UUIDs. */
const DELIVERY_ID = /^[\w.-]{1,100}$/;

/**
 * Judges a webhook delivery as Probot's middleware (@octokit/webhooks 14, `middleware/node`) would, in the
 * same order and with the same statuses: 415 for a body that is not JSON by its type, 400 for a missing
 * header, 400 for a signature that does not match (`verifyAndReceive`), 400 for a body that is not JSON.
 * Then what the app itself requires of the events it handles: a record it can keep (the payload's fields
 * the app reads, `issuePayloadSchema`; a delivery id a file may carry), else 400 with what is wrong, so a
 * malformed event is refused here rather than failing later where nobody answers.
 *
 * The signature is GitHub's `X-Hub-Signature-256`: `sha256=` and the HMAC-SHA256 of the raw body under the
 * webhook secret, in hex, compared in constant time.
 */
export function readDelivery(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: Uint8Array,
  secret: string,
): DeliveryVerdict {
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const type = header("content-type");
  if (type === undefined || !JSON_TYPE.test(type))
    return refused(415, `Unsupported "Content-Type" header value. Must be "application/json"`);
  const missing = REQUIRED.filter((name) => header(name) === undefined);
  if (missing.length > 0) return refused(400, `Required headers missing: ${missing.join(", ")}`);
  if (!signedWith(secret, body, header("x-hub-signature-256") ?? ""))
    return refused(
      400,
      "[@octokit/webhooks] signature does not match event payload and secret",
      // Anyone can post here, but when GitHub's own deliveries are refused this is the setting to fix.
      "if GitHub sent it, WEBHOOK_SECRET is not the app's webhook secret: set it to the one on the app's settings page (Webhook secret) and start the app again",
    );
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
  } catch {
    return refused(400, "Invalid JSON");
  }
  const action = (payload as { action?: unknown } | null)?.action;
  const name = `${header("x-github-event")}.${typeof action === "string" ? action : ""}`;
  if (!isAppEvent(name)) return { kind: "ignored" };
  const deliveryId = header("x-github-delivery") ?? "";
  if (!DELIVERY_ID.test(deliveryId)) return refused(400, "x-github-delivery is not a delivery id");
  const parsed = issuePayloadSchema.safeParse(payload);
  if (!parsed.success) return refused(400, `not an ${name} event the app can read`);
  const installation = (payload as { installation?: { id?: unknown } }).installation?.id;
  const installationId =
    typeof installation === "number" && Number.isSafeInteger(installation) && installation > 0
      ? installation
      : undefined;
  return {
    kind: "accepted",
    event: {
      deliveryId,
      event: name,
      ...(installationId === undefined ? {} : { installationId }),
      payload: slimPayload(parsed.data),
    },
  };
}

function refused(status: number, error: string, hint?: string): DeliveryVerdict {
  return hint === undefined ? { kind: "refused", status, error } : { kind: "refused", status, error, hint };
}

const isAppEvent = (name: string): name is AppEvent => (EVENTS as readonly string[]).includes(name);

function signedWith(secret: string, body: Uint8Array, signature: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
