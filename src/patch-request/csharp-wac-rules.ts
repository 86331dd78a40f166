import { isIpldMap } from "../nomad/ipld.js";
import { isReservedEventId } from "../policy/reserved.js";
import type { CompatibilityRule as Rule } from "./csharp-rule.js";
import { EVENTS_CSHARP_REPLAYS } from "./wac-replayed-events.js";

/** WindowsAppCommunity.Sdk (src/Nomad/Modifiable{Project,Publisher,User}.cs and the collections they call). */
export const wacRules: readonly Rule[] = [
  function eventIdIsReplayed({ entry }, { module }) {
    const known = EVENTS_CSHARP_REPLAYS[module];
    if (!known || isReservedEventId(entry.eventId) || Object.hasOwn(known.events, entry.eventId))
      return undefined;
    return {
      code: "event-unknown-to-csharp",
      why: `the C# ${module.replace("wac-", "")} replay throws on EventId ${entry.eventId} (${known.csharp}: ${known.otherwise})`,
    };
  },
  function forgetMeHasValue({ entry, content }) {
    if (entry.eventId !== "UpdateForgetMeStatusAsync") return undefined;
    const value = isIpldMap(content) ? content.Value : undefined;
    if (value !== null && value !== undefined) return undefined;
    return {
      code: "forget-me-without-value",
      why: "UpdateForgetMeStatusAsync with a null Value makes C# throw (ModifiableEntity.ApplyEntryUpdateAsync guards it)",
    };
  },
];
