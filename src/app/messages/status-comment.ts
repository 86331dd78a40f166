import type { StatusState } from "../../render/marker.js";
import { writeMarker } from "../../render/marker.js";

/** A one-off comment (outcome, denial, rejection, …): the status marker, then the text. */
export function statusComment(
  state: StatusState,
  about: { readonly key: string | null; readonly cid: string | null },
  lines: readonly string[],
): string {
  return [writeMarker({ kind: "status", v: 1, state, key: about.key, cid: about.cid }), ...lines].join("\n");
}

/** A user name safe to print: GitHub logins are `[A-Za-z0-9-]` (and `[bot]`), anything else is dropped. */
export function who(login: string): string {
  return `@${login.replace(/[^A-Za-z0-9\-[\]]/g, "")}`;
}
