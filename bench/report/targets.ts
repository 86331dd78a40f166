import type { ReviewCaseResult } from "../cases/review-cases.js";
import type { WebhookBurstResult } from "../cases/webhook-burst.js";

export interface TargetCheck {
  readonly name: string;
  readonly met: boolean;
  readonly detail: string;
}

/** The stated targets: the largest review case, and webhooks at 50 deliveries per second. */
export function checkTargets(
  review: readonly ReviewCaseResult[],
  webhooks: readonly WebhookBurstResult[],
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const at50 = webhooks.find((w) => w.rate === 50);
  if (at50) {
    checks.push(
      {
        name: "every webhook acknowledged within 100 ms at p99, 50 deliveries/s",
        met: at50.p99Ms <= 100 && at50.non2xx === 0,
        detail: `p99 ${at50.p99Ms.toFixed(1)} ms, max ${at50.maxMs.toFixed(1)} ms, ${at50.non2xx} not 2xx`,
      },
      {
        name: "every delivery processed exactly once (redeliveries included)",
        met: webhooks.every((w) => w.processedOnce === w.deliveries),
        detail: webhooks.map((w) => `${w.processedOnce}/${w.deliveries} at ${w.rate}/s`).join(", "),
      },
    );
  }
  const largest = review.find((r) => r.historyEntries === 10_000 && r.patchEntries === 1_000);
  if (!largest) return checks;
  const speedup = largest.sequentialMs / largest.warmMs;
  return [
    ...checks,
    {
      name: "1,000-entry patch vs 10,000 history, warm, under 2 s",
      met: largest.warmMs < 2_000,
      detail: `${largest.warmMs.toFixed(0)} ms`,
    },
    {
      name: "same case at least 5× faster than the sequential baseline",
      met: speedup >= 5,
      detail: `${speedup.toFixed(1)}× (sequential ${largest.sequentialMs.toFixed(0)} ms)`,
    },
  ];
}
