/*
 * Functions that run inside the page (page.evaluate serialises them): they may use only the page's
 * globals and their arguments. The project compiles without the DOM library, so the little of it they
 * use is declared here.
 */

interface Box {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly height: number;
}

interface PageElement {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly offsetParent: unknown;
  readonly scrollWidth: number;
  readonly clientWidth: number;
  readonly nextElementSibling: PageElement | null;
  open?: boolean;
  getBoundingClientRect(): Box;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
}

declare const document: {
  readonly documentElement: PageElement;
  getElementById(id: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
};
declare const window: { readonly innerWidth: number };

export interface FirstScreen {
  readonly headline: boolean;
  /** The one human line per target: `Website (storage): 3 added · …`. */
  readonly summary: boolean;
  /** The first line under the first heading that lists changes. */
  readonly firstChange: boolean;
  /** A note saying what the comment leaves out, above the first change. */
  readonly partialNotice: boolean;
  /** A conflict alert that says what approving removes, above the title. */
  readonly conflictHeadline: boolean;
}

/** Opens every collapsed part, as a maintainer reading everything would. */
export function openEveryDetails(): void {
  for (const details of document.querySelectorAll("details")) details.open = true;
}

/**
 * Runs in the page: the tables and code blocks that do not fit the column. Every table and block must
 * lie within the column; tables and the file tree must also not scroll inside it. A diff of file text or
 * JSON shows lines as they are, and GitHub scrolls a long code line rather than wrap it: so may we.
 */
export function measureOverflow(columnWidth: number): string[] {
  const column = document.getElementById("comment") as PageElement;
  const right = column.getBoundingClientRect().left + column.clientWidth;
  const out: string[] = [];
  if (document.documentElement.scrollWidth > window.innerWidth)
    out.push(`the page scrolls sideways (${document.documentElement.scrollWidth} px)`);
  const tree = [...column.querySelectorAll("h4")].find((h) => h.textContent?.startsWith("Files and folders"));
  let treeBlock = tree?.nextElementSibling ?? null;
  while (treeBlock && treeBlock.tagName !== "PRE" && treeBlock.tagName !== "H4")
    treeBlock = treeBlock.nextElementSibling;
  for (const element of column.querySelectorAll("table, pre")) {
    if (element.offsetParent === null) continue;
    const box = element.getBoundingClientRect();
    const what = `${element.tagName.toLowerCase()} "${(element.textContent ?? "").trim().slice(0, 40)}"`;
    if (box.right > right + 0.5) out.push(`${what} ends ${Math.round(box.right - right)} px past the column`);
    const mayScroll = element.tagName === "PRE" && element !== treeBlock;
    if (!mayScroll && element.scrollWidth > element.clientWidth + 1)
      out.push(`${what} is ${element.scrollWidth} px wide in a ${columnWidth} px column`);
  }
  return out;
}

/** Runs in the page: what the first `height` px show. */
export function readFirstScreen(height: number): FirstScreen {
  const column = document.getElementById("comment") as PageElement;
  const visible = (element: PageElement | null | undefined) =>
    !!element &&
    element.getBoundingClientRect().bottom <= height &&
    element.getBoundingClientRect().height > 0;
  const blocks = [...column.querySelectorAll("p, li, h3, h4, .markdown-alert")];
  const headline = column.querySelector("h3");
  const summary = blocks.find((b) =>
    /\S \((storage|wac-[a-z]+|peer-swarm|generic)\b[^)]*\): /.test(b.textContent ?? ""),
  );
  const heading = [...column.querySelectorAll("h4")].find((h) =>
    /^(Conflicts|Files and folders|Field changes|Changes|Effect)\b/.test(h.textContent ?? ""),
  );
  const firstChangeBlock = heading?.nextElementSibling;
  const firstLine = firstChangeBlock?.querySelector("tbody tr, li, span") ?? firstChangeBlock;
  const changeTop = firstChangeBlock?.getBoundingClientRect().top ?? Number.POSITIVE_INFINITY;
  const notice = blocks.find(
    (b) =>
      /left out|shortened|not shown/i.test(b.textContent ?? "") && b.getBoundingClientRect().top < changeTop,
  );
  const conflict = column.querySelector(".markdown-alert-caution");
  const conflictFirst =
    !!conflict &&
    !!headline &&
    conflict.getBoundingClientRect().top < headline.getBoundingClientRect().top &&
    /approving removes/.test(conflict.textContent ?? "");
  return {
    conflictHeadline: conflictFirst && visible(conflict),
    headline: visible(headline),
    summary: visible(summary),
    firstChange: visible(firstLine),
    partialNotice: visible(notice),
  };
}
