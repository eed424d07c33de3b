/**
 * Wall-clock arithmetic in an IANA time zone with nothing but `Intl.DateTimeFormat`: read the
 * local date and time of an instant, and find the instant of a local date and time (trying the
 * zone's offsets around it, so DST gaps and overlaps resolve the way Temporal's "compatible"
 * disambiguation does).
 */

/** A calendar date; `month` is 1–12. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export interface WallTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

export const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    // Throws RangeError for a name that is not an IANA zone.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The local date and time (to the second) of an instant in `zone`. */
export function wallTimeAt(instantMs: number, zone: string): WallTime {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(instantMs)))
    parts[part.type] = part.value;
  const year = Number(parts.year);
  return {
    year: parts.era === 'BC' ? 1 - year : year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The wall time read as if it were UTC, in milliseconds since the epoch. */
function wallAsUtc(wall: WallTime): number {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, 0);
  return date.getTime();
}

/** How far `zone` is ahead of UTC at an instant, in milliseconds (+3 h for Africa/Nairobi). */
export function offsetAt(instantMs: number, zone: string): number {
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  return wallAsUtc(wallTimeAt(wholeSecond, zone)) - wholeSecond;
}

/**
 * The instant at which clocks in `zone` show `wall`. A wall time that happens twice (clocks
 * turned back) gives the earlier instant; one that never happens (clocks turned forward) gives
 * the instant of the jump, i.e. the first moment after it.
 */
export function instantOf(wall: WallTime, zone: string): number {
  const guess = wallAsUtc(wall);
  // Offsets a day either side cover the ones in force before and after any nearby transition.
  const offsets = new Set([
    offsetAt(guess - DAY_MS, zone),
    offsetAt(guess, zone),
    offsetAt(guess + DAY_MS, zone),
  ]);
  const candidates = [...offsets].map((offset) => guess - offset);
  const exact = candidates.filter((instant) => offsetAt(instant, zone) === guess - instant);
  return exact.length > 0 ? Math.min(...exact) : Math.max(...candidates);
}

/** The first instant of a local date in `zone` (midnight, or the end of a DST gap over it). */
export function startOfLocalDay(date: LocalDate, zone: string): number {
  return instantOf({ ...date, hour: 0, minute: 0, second: 0 }, zone);
}

export function localDateAt(instantMs: number, zone: string): LocalDate {
  const { year, month, day } = wallTimeAt(instantMs, zone);
  return { year, month, day };
}

/** Calendar arithmetic on dates (no zone involved): `addDays({2026,2,28}, 1)` is 1 March. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(0);
  moved.setUTCFullYear(date.year, date.month - 1, date.day + days);
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  const utc = (date: LocalDate) => {
    const at = new Date(0);
    at.setUTCFullYear(date.year, date.month - 1, date.day);
    return at.getTime();
  };
  return Math.round((utc(b) - utc(a)) / DAY_MS);
}

/** 0 for Monday … 6 for Sunday. */
export function weekdayFromMonday(date: LocalDate): number {
  const at = new Date(0);
  at.setUTCFullYear(date.year, date.month - 1, date.day);
  return (at.getUTCDay() + 6) % 7;
}

export function formatLocalDate(date: LocalDate): string {
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}
