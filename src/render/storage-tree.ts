import type { StorageItemChange } from "../patch-request/change-model.js";
import { oneLine, shorten } from "./escape.js";
import { count } from "./words.js";

interface TreeNode {
  readonly name: string;
  readonly children: Map<string, TreeNode>;
  item?: StorageItemChange;
}

const MARK: Record<StorageItemChange["change"], string> = { added: "+", removed: "-", changed: "~" };

/**
 * The touched files and folders as an indented tree, one line each, with a diff-style mark in the first
 * column (`+` added, `-` removed, `~` changed, blank for a folder that only contains changes). Plain
 * text for a code block or a terminal: names are cleaned to one line, nothing else is escaped.
 */
export function storageTreeLines(
  items: readonly StorageItemChange[],
  /** Makes a name one safe line: `oneLine` for Markdown, the terminal stripper for a terminal. */
  clean: (text: string) => string = oneLine,
): string[] {
  const root: TreeNode = { name: "", children: new Map() };
  for (const item of items) {
    let node = root;
    for (const segment of item.path.split("/").filter((part) => part !== "")) {
      let child = node.children.get(segment);
      if (!child) {
        child = { name: segment, children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    if (node !== root) node.item = item;
  }
  const lines: string[] = [];
  walk(root, 0, lines, clean);
  return lines;
}

function walk(node: TreeNode, depth: number, lines: string[], clean: (text: string) => string): void {
  const children = [...node.children.values()].sort(byFolderThenName);
  for (const child of children) {
    const mark = child.item ? MARK[child.item.change] : " ";
    const slash = isFolder(child) ? "/" : "";
    lines.push(
      `${mark} ${"  ".repeat(depth)}${shorten(clean(child.name), 200)}${slash}${note(child.item, clean)}`,
    );
    walk(child, depth + 1, lines, clean);
  }
}

function note(item: StorageItemChange | undefined, clean: (text: string) => string): string {
  if (item?.kind !== "file" || item.textDiff !== undefined || !item.textDiffNote) return "";
  return `  (${shorten(clean(item.textDiffNote), 80)})`;
}

function isFolder(node: TreeNode): boolean {
  return node.item ? node.item.kind === "folder" : node.children.size > 0;
}

function byFolderThenName(a: TreeNode, b: TreeNode): number {
  const folders = Number(isFolder(b)) - Number(isFolder(a));
  if (folders !== 0) return folders;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** `2 added, 1 changed, 1 removed` over files and folders. */
export function storageCounts(items: readonly StorageItemChange[]): string {
  const by = (change: StorageItemChange["change"]) => items.filter((item) => item.change === change).length;
  const parts = [`${by("added")} added`, `${by("changed")} changed`, `${by("removed")} removed`];
  return `${count(items.length, "item", "items")}: ${parts.join(", ")}`;
}
