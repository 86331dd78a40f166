import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { COMMENT_WIDTH, commentPage, PAGE_WIDTH } from "./github-markdown.js";
import { type FirstScreen, measureOverflow, openEveryDetails, readFirstScreen } from "./in-page.js";

export type { FirstScreen };

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH names another. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** The first screen a maintainer sees of a comment: a laptop window's worth. */
export const FIRST_SCREEN = 800;

export interface CommentLayout {
  /** Tables and code blocks wider than the column, or scrolling inside it, as `table 957 px`. */
  readonly overflowing: readonly string[];
}

export interface CommentBrowser {
  /** Lays the comment out, screenshots it whole to `screenshot`, and measures what does not fit. */
  show(markdown: string, screenshot: string): Promise<CommentLayout>;
  /** What the first 800 px of the comment (from the top of its header bar) show. */
  firstScreen(markdown: string): Promise<FirstScreen>;
  close(): Promise<void>;
}

/** One Chromium and one page for every comment: starting a browser costs more than all the pages. */
export async function openChromium(): Promise<CommentBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not at ${CHROMIUM}: the browser test needs it. Install it with \`apt-get install -y chromium\` (Debian) or set CHROMIUM_PATH.`,
    );
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  const page = await browser.newPage({ viewport: { width: PAGE_WIDTH, height: FIRST_SCREEN } });
  const load = async (markdown: string) => {
    await page.setContent(commentPage(markdown), { waitUntil: "load" });
  };
  return {
    async show(markdown, screenshot) {
      await load(markdown);
      await page.screenshot({ path: screenshot, fullPage: true });
      const asPosted = await page.evaluate(measureOverflow, COMMENT_WIDTH);
      // What a maintainer sees after opening every collapsed part must fit as well.
      await page.evaluate(openEveryDetails);
      const opened = await page.evaluate(measureOverflow, COMMENT_WIDTH);
      return { overflowing: [...new Set([...asPosted, ...opened])] };
    },
    async firstScreen(markdown) {
      await load(markdown);
      return page.evaluate(readFirstScreen, FIRST_SCREEN);
    },
    close: () => browser.close(),
  };
}
