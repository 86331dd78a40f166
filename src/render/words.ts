/** `1 entry`, `3 entries`, `1,024 files`: counts people read at a glance. */
export function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

/** `a`, `a or b`, `a, b or c`. */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** `50,003`: a number as people read it. */
export function formatNumber(n: number): string {
  return n.toLocaleString("en-US");
}
