import type { ReviewCaseResult } from "../cases/review-cases.js";
import { formatTable, ms, ratio } from "./table.js";

/** Review + render per case, beside both baselines, with the ratios the targets are stated in. */
export function reviewTable(results: readonly ReviewCaseResult[]): string {
  return formatTable(
    [
      "history × patch",
      "blocks",
      "first ms",
      "cold ms",
      "restart ms",
      "warm ms",
      "render ms",
      "sequential ms",
      "raw ms",
      "car ms",
      "seq/cold",
      "seq/warm",
      "raw/cold",
      "raw/warm",
      "cold/car",
      "restart/warm",
    ],
    results.map((r) => [
      rowLabel(r),
      String(r.blocks),
      ms(r.firstMs),
      ms(r.coldMs),
      ms(r.restartMs),
      ms(r.warmMs),
      ms(r.warmRenderMs),
      ms(r.sequentialMs),
      ms(r.rawMs),
      ms(r.carMs),
      ratio(r.sequentialMs / r.coldMs),
      ratio(r.sequentialMs / r.warmMs),
      ratio(r.rawMs / r.coldMs),
      ratio(r.rawMs / r.warmMs),
      ratio(r.coldMs / r.carMs),
      ratio(r.restartMs / r.warmMs),
    ]),
  );
}

/** `10000 × 1000`, and `storage 10000 × 65` for the Storage row. */
export function rowLabel(r: ReviewCaseResult): string {
  return `${r.kind === "storage" ? "storage " : ""}${r.historyEntries} × ${r.patchEntries}`;
}
