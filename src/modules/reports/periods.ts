import { ValidationFailedError } from '../../common/errors/domain-error';
import {
  addDays,
  DAY_MS,
  daysBetween,
  formatLocalDate,
  instantOf,
  LocalDate,
  localDateAt,
  startOfLocalDay,
  weekdayFromMonday,
} from './zoned-time';

export const PERIOD_NAMES = [
  'today',
  'yesterday',
  'this_week',
  'last_7_days',
  'this_month',
  'last_30_days',
  'this_year',
  'custom',
] as const;
export type PeriodName = (typeof PERIOD_NAMES)[number];

export const DEFAULT_TIME_ZONE = 'Africa/Nairobi';
/** Longest custom period, so a report never scans more than two years of sales. */
export const MAX_CUSTOM_DAYS = 366;

/** A half-open interval of instants: `from` ≤ t < `to`. */
export interface Interval {
  from: Date;
  to: Date;
}

export interface ResolvedPeriod extends Interval {
  /** The interval of equal length that ends where this one starts. */
  previous: Interval;
}

export interface PeriodRequest {
  period: PeriodName;
  /** Only with `custom`: a local date (`2026-03-01`, its midnight), local date-time, or instant. */
  from?: string;
  to?: string;
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * Resolves a report period in `zone` at `now`. Named periods are whole local days and run up to
 * the end of today (`this_month` on 14 March is 1–14 March, `last_7_days` is today and the six
 * days before); weeks start on Monday. The previous period is the one of equal length that ends
 * where this one starts: the same number of local days for periods made of whole days, the same
 * duration otherwise.
 */
export function resolvePeriod(request: PeriodRequest, zone: string, now: Date): ResolvedPeriod {
  const interval =
    request.period === 'custom' ? customInterval(request, zone) : namedInterval(request, zone, now);
  return { ...interval, previous: previousInterval(interval, zone) };
}

function namedInterval(request: PeriodRequest, zone: string, now: Date): Interval {
  if (request.from !== undefined || request.to !== undefined) {
    throw new ValidationFailedError([
      { field: 'from', problems: ['from and to are only allowed with period=custom'] },
    ]);
  }
  const today = localDateAt(now.getTime(), zone);
  const tomorrow = addDays(today, 1);
  const days = (first: LocalDate, end: LocalDate): Interval => ({
    from: new Date(startOfLocalDay(first, zone)),
    to: new Date(startOfLocalDay(end, zone)),
  });
  switch (request.period) {
    case 'today':
      return days(today, tomorrow);
    case 'yesterday':
      return days(addDays(today, -1), today);
    case 'this_week':
      return days(addDays(today, -weekdayFromMonday(today)), tomorrow);
    case 'last_7_days':
      return days(addDays(today, -6), tomorrow);
    case 'this_month':
      return days({ ...today, day: 1 }, tomorrow);
    case 'last_30_days':
      return days(addDays(today, -29), tomorrow);
    case 'this_year':
      return days({ year: today.year, month: 1, day: 1 }, tomorrow);
    default:
      throw new Error(`unknown period ${String(request.period)}`);
  }
}

function customInterval(request: PeriodRequest, zone: string): Interval {
  const problems = (['from', 'to'] as const)
    .filter((field) => request[field] === undefined)
    .map((field) => ({ field, problems: [`${field} is required with period=custom`] }));
  if (problems.length > 0) throw new ValidationFailedError(problems);
  const from = parseBoundary(request.from as string, zone, 'from');
  const to = parseBoundary(request.to as string, zone, 'to');
  if (to.getTime() <= from.getTime())
    throw new ValidationFailedError([{ field: 'to', problems: ['to must be after from'] }]);
  if (to.getTime() - from.getTime() > MAX_CUSTOM_DAYS * DAY_MS + 3_600_000) {
    throw new ValidationFailedError([
      { field: 'to', problems: [`a custom period may span at most ${MAX_CUSTOM_DAYS} days`] },
    ]);
  }
  return { from, to };
}

/**
 * `2026-03-01` is the start of that local day; `2026-03-01T08:30` a local wall time; anything
 * with `Z` or an offset is that instant.
 */
export function parseBoundary(text: string, zone: string, field = 'from'): Date {
  const invalid = () =>
    new ValidationFailedError([
      { field, problems: [`${field} must be an ISO 8601 date or date-time`] },
    ]);
  const date = LOCAL_DATE.exec(text);
  const dateTime = LOCAL_DATE_TIME.exec(text);
  const numbers = (date ?? dateTime)?.slice(1).map((value) => Number(value ?? 0));
  if (numbers) {
    const [year, month, day, hour = 0, minute = 0, second = 0] = numbers;
    if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59)
      throw invalid();
    return new Date(instantOf({ year, month, day, hour, minute, second }, zone));
  }
  const withOffset = INSTANT.exec(text);
  // JavaScript reads 2026-02-30T00:00Z as 2 March: the calendar date is checked first.
  const [year, month, day] = withOffset?.slice(1, 4).map(Number) ?? [];
  if (!withOffset || !isCalendarDate(year, month, day)) throw invalid();
  const instant = new Date(text);
  if (Number.isNaN(instant.getTime())) throw invalid();
  return instant;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const check = addDays({ year, month, day }, 0);
  return check.month === month && check.day === day;
}

function isStartOfLocalDay(instant: Date, zone: string): boolean {
  return startOfLocalDay(localDateAt(instant.getTime(), zone), zone) === instant.getTime();
}

/** Whether an interval starts and ends at the start of local days in `zone`. */
export function isWholeDays(interval: Interval, zone: string): boolean {
  return isStartOfLocalDay(interval.from, zone) && isStartOfLocalDay(interval.to, zone);
}

/** The interval of equal length just before `interval` (in local days when it is whole days). */
export function previousInterval(interval: Interval, zone: string): Interval {
  if (isWholeDays(interval, zone)) {
    const first = localDateAt(interval.from.getTime(), zone);
    const length = daysBetween(first, localDateAt(interval.to.getTime(), zone));
    return { from: new Date(startOfLocalDay(addDays(first, -length), zone)), to: interval.from };
  }
  const length = interval.to.getTime() - interval.from.getTime();
  return { from: new Date(interval.from.getTime() - length), to: interval.from };
}

/** Every local date (`YYYY-MM-DD`) that [from, to) touches, in order. */
export function localDatesOf(interval: Interval, zone: string): string[] {
  const first = localDateAt(interval.from.getTime(), zone);
  const last = localDateAt(interval.to.getTime() - 1, zone);
  const count = daysBetween(first, last) + 1;
  return Array.from({ length: count }, (_, index) => formatLocalDate(addDays(first, index)));
}
