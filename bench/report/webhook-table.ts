import type { WebhookBurstResult } from "../cases/webhook-burst.js";
import { formatTable, ms } from "./table.js";

export function webhookTable(results: readonly WebhookBurstResult[]): string {
  return formatTable(
    [
      "rate",
      "senders",
      "deliveries",
      "redelivered",
      "ack p50 ms",
      "ack p99 ms",
      "ack max ms",
      "not 2xx",
      "done once",
      "dropped by limit",
      "done twice",
      "lost",
      "drain ms",
    ],
    results.map((w) => [
      w.alongside ? `${w.rate}/s + cold review${senderNote(w)}` : `${w.rate}/s`,
      String(w.senders ?? 1),
      String(w.deliveries),
      String(w.redeliveries),
      w.p50Ms.toFixed(1),
      w.p99Ms.toFixed(1),
      w.maxMs.toFixed(1),
      String(w.non2xx),
      `${w.processedOnce}/${w.deliveries}`,
      String(w.droppedByLimit ?? "–"),
      String(w.doneTwice ?? "–"),
      String(w.lost ?? "–"),
      ms(w.drainMs),
    ]),
  );
}

/** Where a burst during a review was sent from; results saved before it was recorded were sent in-process. */
function senderNote(w: WebhookBurstResult): string {
  if (w.sender === undefined) return "";
  return w.sender === "another process" ? " (sender apart)" : " (sender in-process)";
}
