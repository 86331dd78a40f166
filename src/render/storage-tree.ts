import type { StorageItemChange } from "../patch-request/change-model.js";
import { oneLine, shorten } from "./escape.js";
import { fileFacts } from "./file-facts.js";
import { count } from "./words.js";

interface TreeNode {
  readonly name: string;
  readonly children: Map<string, TreeNode>;
  item?: StorageItemChange;
}

/**
 * The touched files and folders as an indented tree, one line each, with a diff-style mark in the first
 * column (`+` added, `-` removed, `changedMark` changed, blank for a folder that only contains changes).
 * Plain text for a code block or a terminal: names are cleaned to one line, nothing else is escaped.
 * GitHub colours `!` lines of a ```diff block (as a context diff marks changes); a terminal paints `~`.
 */
export function storageTreeLines(
  items: readonly StorageItemChange[],
  /** Makes a name one safe line: `oneLine` for Markdown, the terminal stripper for a terminal. */
  clean: (text: string) => string = oneLine,
  changedMark: "~" | "!" = "~",
): string[] {
  const marks = { added: "+", removed: "-", changed: changedMark };
  const lines: string[] = [];
  walk(buildTree(items), 0, (node, depth) => {
    const mark = node.item ? marks[node.item.change] : " ";
    const slash = isFolder(node) ? "/" : "";
    lines.push(
      `${mark} ${"  ".repeat(depth)}${shorten(clean(node.name), 200)}${slash}${note(node.item, clean)}`,
    );
  });
  return lines;
}

/** The items in the order the tree lists them: folders first, then names, depth first. */
export function inTreeOrder(items: readonly StorageItemChange[]): StorageItemChange[] {
  const ordered: StorageItemChange[] = [];
  walk(buildTree(items), 0, (node) => {
    if (node.item) ordered.push(node.item);
  });
  return ordered;
}

function buildTree(items: readonly StorageItemChange[]): TreeNode {
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
  return root;
}

function walk(node: TreeNode, depth: number, visit: (child: TreeNode, depth: number) => void): void {
  for (const child of [...node.children.values()].sort(byFolderThenName)) {
    visit(child, depth);
    walk(child, depth + 1, visit);
  }
}

function note(item: StorageItemChange | undefined, clean: (text: string) => string): string {
  if (item?.kind !== "file" || item.textDiff !== undefined || !item.textDiffNote) return "";
  return `  (${shorten(clean(fileFacts(item)), 120)})`;
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
