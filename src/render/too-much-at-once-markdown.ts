import { writeMarker } from "./marker.js";

/**
 * The one note a person gets when the app dropped one of their events because too many of theirs were
 * already waiting: the event was never looked at, so nothing about it (a key, a command) was done.
 */
export function renderTooMuchAtOnceMarkdown(input: { readonly maxWaiting: number }): string {
  const marker = writeMarker({ kind: "status", v: 1, state: "failed", key: null, cid: null });
  return [
    marker,
    "### ⏸️ Too much at once",
    `The bot keeps at most ${input.maxWaiting} events of one person waiting, and more of yours arrived ` +
      "at once: this one was not processed, so no patch key in it was reviewed and no command in it was " +
      "run. Nothing was applied. Post it again later (a patch key in an issue's description is read again " +
      "when the description is edited); other events dropped within the hour get no further notice.",
  ].join("\n\n");
}
