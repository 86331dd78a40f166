import { writeMarker } from "./marker.js";

/** The one note a person gets when they post more patch keys than the bot reviews for one person per hour. */
export function renderSlowDownMarkdown(input: { readonly keysPerHour: number }): string {
  const marker = writeMarker({ kind: "status", v: 1, state: "failed", key: null, cid: null });
  return [
    marker,
    "### ⏸️ Too many patch keys for now",
    `The bot reviews at most ${input.keysPerHour} patch keys per person per hour, and this comment went ` +
      "over it. Keys posted until the hour is up are not reviewed, and no further notice is given. " +
      "Nothing was applied. Post the keys again later.",
  ].join("\n\n");
}
