import type { StorageItemChange } from "../patch-request/change-model.js";

/** `12.3 KB`: a size as people read it (1,024-based, as GitHub shows file sizes). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** `12.0 KB → 15.2 KB` for a changed file, the one size for an added or removed one; empty when unknown. */
export function sizeChange(item: StorageItemChange): string {
  const side = (size: number | null | undefined) =>
    typeof size === "number" ? formatBytes(size) : undefined;
  const before = side(item.beforeSize);
  const after = side(item.afterSize);
  if (item.change === "added") return after ?? "";
  if (item.change === "removed") return before ?? "";
  if (before === undefined && after === undefined) return "";
  return `${before ?? "?"} → ${after ?? "?"}`;
}

/**
 * What a reviewer is told about a file shown without a diff: why (binary, too large, unreachable), its
 * type and its size before → after, e.g. `binary file, image/png, 12.0 KB → 15.2 KB`.
 */
export function fileFacts(item: StorageItemChange): string {
  return [item.textDiffNote ?? "", item.mediaType ?? "", sizeChange(item)].filter((p) => p !== "").join(", ");
}
