import { DecodeError } from "../errors.js";

/**
 * Time as Nomad orders it: 100-nanosecond units (.NET ticks) since 1970-01-01T00:00:00Z. A bigint,
 * because JavaScript `Date` keeps milliseconds only and would reorder entries written 100 ns apart.
 */
export type Ticks = bigint;

export const TICKS_PER_MILLISECOND = 10_000n;
const TICKS_PER_SECOND = 10_000_000n;
const TICKS_PER_DAY = 86_400n * TICKS_PER_SECOND;

/** How a timestamp was written: `utc` is Newtonsoft's own `…Z` form; the others were normalised to UTC. */
export type TimestampForm = "utc" | "offset" | "unzoned";

export interface ParsedTimestamp {
  readonly ticks: Ticks;
  readonly form: TimestampForm;
}

const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Read a `TimestampUtc` as Newtonsoft writes it (`YYYY-MM-DDTHH:mm:ss[.fffffff]Z`), and as leniently as
 * Newtonsoft's `DateTimeParser` reads it, since every C# device loads what that parser accepts: `z`, an
 * offset as `+02:00`, `+0200` or `+02` with up to 99 hours and 99 minutes, and `T24:00:00` for the next
 * midnight. An offset or no zone at all is normalised to the UTC instant and reported in `form`, so
 * callers can warn: C# devices on a UTC machine read them the same way (docs/decisions.md). Anything else
 * (more than 7 fractional digits, a date that does not exist, a lower-case `t`, a number) is refused.
 */
export function parseTimestampDetailed(text: unknown, where?: string): ParsedTimestamp {
  if (typeof text !== "string") {
    throw new DecodeError(
      `Expected a timestamp string like "2025-06-01T10:00:00.1234567Z", got ${typeof text}`,
      where,
    );
  }
  const match = PATTERN.exec(text);
  if (!match) {
    throw new DecodeError(
      `Expected a timestamp like "2025-06-01T10:00:00.1234567Z" (at most 7 fractional digits), got ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}`,
      where,
    );
  }
  const [, y, mo, d, h, mi, s, fraction = "", zone] = match as unknown as string[];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new DecodeError(`The date in ${JSON.stringify(text)} does not exist`, where);
  }
  // Hour 24 is the next midnight, only exactly (Newtonsoft DateTimeParser.ParseTime).
  const nextMidnight = Number(h) === 24 && Number(mi) === 0 && Number(s) === 0 && !/[1-9]/.test(fraction);
  if ((Number(h) > 23 && !nextMidnight) || Number(mi) > 59 || Number(s) > 59) {
    throw new DecodeError(`The time of day in ${JSON.stringify(text)} does not exist`, where);
  }
  const seconds = ((BigInt(h!) * 60n + BigInt(mi!)) * 60n + BigInt(s!)) * TICKS_PER_SECOND;
  const fractionTicks = BigInt(fraction.padEnd(7, "0"));
  let ticks = daysFromCivil(year, month, day) * TICKS_PER_DAY + seconds + fractionTicks;
  let form: TimestampForm = "utc";
  if (zone === undefined) form = "unzoned";
  else if (zone !== "Z" && zone !== "z") {
    form = "offset";
    // Newtonsoft takes any two-digit hours and minutes (`+99:99` is 100 h 39 min) and converts to
    // local time; on a UTC machine that is this instant, and the C# order compares the ticks.
    const sign = zone.startsWith("-") ? -1n : 1n;
    const digits = zone.slice(1).replace(":", "");
    const offsetMinutes = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0"));
    ticks -= sign * offsetMinutes * 60n * TICKS_PER_SECOND;
  }
  return { ticks, form };
}

export function parseTimestamp(text: unknown, where?: string): Ticks {
  return parseTimestampDetailed(text, where).ticks;
}

/** Write ticks exactly as Newtonsoft writes a UTC `DateTime`: 7 fractional digits at most, trailing zeros trimmed. */
export function formatTimestamp(ticks: Ticks): string {
  const days = floorDiv(ticks, TICKS_PER_DAY);
  const inDay = ticks - days * TICKS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  const second = inDay / TICKS_PER_SECOND;
  const fraction = (inDay % TICKS_PER_SECOND).toString().padStart(7, "0").replace(/0+$/, "");
  const hh = second / 3600n;
  const mm = (second % 3600n) / 60n;
  const ss = second % 60n;
  const date = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  const time = `${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}`;
  return `${date}T${time}${fraction ? `.${fraction}` : ""}Z`;
}

export function ticksFromMilliseconds(ms: number): Ticks {
  return BigInt(Math.floor(ms)) * TICKS_PER_MILLISECOND;
}

function pad(n: number | bigint, width: number): string {
  return n.toString().padStart(width, "0");
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

// Howard Hinnant's days-from-civil algorithms, in bigint so no range is lost.
function daysFromCivil(year: number, month: number, day: number): bigint {
  const y = BigInt(month <= 2 ? year - 1 : year);
  const era = floorDiv(y, 400n);
  const yoe = y - era * 400n;
  const m = BigInt(month);
  const doy = (153n * (m > 2n ? m - 3n : m + 9n) + 2n) / 5n + BigInt(day) - 1n;
  const doe = yoe * 365n + yoe / 4n - yoe / 100n + doy;
  return era * 146_097n + doe - 719_468n;
}

function civilFromDays(days: bigint): { year: bigint; month: bigint; day: bigint } {
  const z = days + 719_468n;
  const era = floorDiv(z, 146_097n);
  const doe = z - era * 146_097n;
  const yoe = (doe - doe / 1460n + doe / 36_524n - doe / 146_096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const day = doy - (153n * mp + 2n) / 5n + 1n;
  const month = mp < 10n ? mp + 3n : mp - 9n;
  return { year: yoe + era * 400n + (month <= 2n ? 1n : 0n), month, day };
}
