import { ValidationFailedError } from '../../src/common/errors/domain-error';
import {
  localDatesOf,
  parseBoundary,
  PeriodName,
  resolvePeriod,
} from '../../src/modules/reports/periods';
import {
  instantOf,
  offsetAt,
  startOfLocalDay,
  wallTimeAt,
} from '../../src/modules/reports/zoned-time';

const NAIROBI = 'Africa/Nairobi';

/** The period at a fixed clock, as ISO strings: [from, to, previousFrom, previousTo]. */
function at(now: string, period: PeriodName, zone = NAIROBI, from?: string, to?: string) {
  const resolved = resolvePeriod({ period, from, to }, zone, new Date(now));
  return [resolved.from, resolved.to, resolved.previous.from, resolved.previous.to].map((date) =>
    date.toISOString(),
  );
}

describe('report periods in Africa/Nairobi (UTC+3, no DST)', () => {
  describe('midnight', () => {
    it('today is still the 10th one millisecond before local midnight', () => {
      expect(at('2026-03-10T20:59:59.999Z', 'today')).toEqual([
        '2026-03-09T21:00:00.000Z',
        '2026-03-10T21:00:00.000Z',
        '2026-03-08T21:00:00.000Z',
        '2026-03-09T21:00:00.000Z',
      ]);
    });

    it('today becomes the 11th at local midnight, while UTC is still on the 10th', () => {
      expect(at('2026-03-10T21:00:00.000Z', 'today')).toEqual([
        '2026-03-10T21:00:00.000Z',
        '2026-03-11T21:00:00.000Z',
        '2026-03-09T21:00:00.000Z',
        '2026-03-10T21:00:00.000Z',
      ]);
    });

    it('yesterday is the local day before, compared with the day before that', () => {
      expect(at('2026-03-10T21:00:00.000Z', 'yesterday')).toEqual([
        '2026-03-09T21:00:00.000Z',
        '2026-03-10T21:00:00.000Z',
        '2026-03-08T21:00:00.000Z',
        '2026-03-09T21:00:00.000Z',
      ]);
      expect(at('2026-03-10T20:59:59.999Z', 'yesterday')[0]).toBe('2026-03-08T21:00:00.000Z');
    });
  });

  describe('weeks start on Monday', () => {
    it('on Sunday 23:59:59 the week is Monday to Sunday, compared with the week before', () => {
      // 15 March 2026 is a Sunday; the week began on Monday 9 March.
      expect(at('2026-03-15T20:59:59.999Z', 'this_week')).toEqual([
        '2026-03-08T21:00:00.000Z',
        '2026-03-15T21:00:00.000Z',
        '2026-03-01T21:00:00.000Z',
        '2026-03-08T21:00:00.000Z',
      ]);
    });

    it('at Monday 00:00 local (Sunday 21:00 UTC) a new week of one day starts', () => {
      expect(at('2026-03-15T21:00:00.000Z', 'this_week')).toEqual([
        '2026-03-15T21:00:00.000Z',
        '2026-03-16T21:00:00.000Z',
        '2026-03-14T21:00:00.000Z',
        '2026-03-15T21:00:00.000Z',
      ]);
    });

    it('mid-week it runs from Monday to the end of today', () => {
      // Wednesday 11 March 10:00 local: Monday–Wednesday, against Friday–Sunday before it.
      expect(at('2026-03-11T07:00:00.000Z', 'this_week')).toEqual([
        '2026-03-08T21:00:00.000Z',
        '2026-03-11T21:00:00.000Z',
        '2026-03-05T21:00:00.000Z',
        '2026-03-08T21:00:00.000Z',
      ]);
    });
  });

  describe('rolling windows include today', () => {
    it('last_7_days is today and the six days before, against the seven before them', () => {
      expect(at('2026-03-10T21:30:00.000Z', 'last_7_days')).toEqual([
        '2026-03-04T21:00:00.000Z',
        '2026-03-11T21:00:00.000Z',
        '2026-02-25T21:00:00.000Z',
        '2026-03-04T21:00:00.000Z',
      ]);
    });

    it('last_30_days is thirty local days ending today', () => {
      expect(at('2026-03-31T12:00:00.000Z', 'last_30_days')).toEqual([
        '2026-03-01T21:00:00.000Z',
        '2026-03-31T21:00:00.000Z',
        '2026-01-30T21:00:00.000Z',
        '2026-03-01T21:00:00.000Z',
      ]);
    });
  });

  describe('month ends', () => {
    it('on 28 February 23:59:59 the month is February so far, against the 28 days before', () => {
      expect(at('2026-02-28T20:59:59.999Z', 'this_month')).toEqual([
        '2026-01-31T21:00:00.000Z',
        '2026-02-28T21:00:00.000Z',
        '2026-01-03T21:00:00.000Z',
        '2026-01-31T21:00:00.000Z',
      ]);
    });

    it('at 1 March 00:00 local (28 February 21:00 UTC) this month is March', () => {
      expect(at('2026-02-28T21:00:00.000Z', 'this_month')).toEqual([
        '2026-02-28T21:00:00.000Z',
        '2026-03-01T21:00:00.000Z',
        '2026-02-27T21:00:00.000Z',
        '2026-02-28T21:00:00.000Z',
      ]);
    });

    it('a 31-day month is compared with the 31 days before it', () => {
      expect(at('2026-03-31T20:59:59.999Z', 'this_month')).toEqual([
        '2026-02-28T21:00:00.000Z',
        '2026-03-31T21:00:00.000Z',
        '2026-01-28T21:00:00.000Z',
        '2026-02-28T21:00:00.000Z',
      ]);
    });
  });

  describe('year ends', () => {
    it('on 31 December 23:59:59 the year is the whole year, against the 365 days before', () => {
      expect(at('2026-12-31T20:59:59.999Z', 'this_year')).toEqual([
        '2025-12-31T21:00:00.000Z',
        '2026-12-31T21:00:00.000Z',
        '2024-12-31T21:00:00.000Z',
        '2025-12-31T21:00:00.000Z',
      ]);
    });

    it('at 1 January 00:00 local (31 December 21:00 UTC) a new year of one day starts', () => {
      expect(at('2026-12-31T21:00:00.000Z', 'this_year')).toEqual([
        '2026-12-31T21:00:00.000Z',
        '2027-01-01T21:00:00.000Z',
        '2026-12-30T21:00:00.000Z',
        '2026-12-31T21:00:00.000Z',
      ]);
      expect(at('2026-12-31T21:00:00.000Z', 'this_month').slice(0, 2)).toEqual([
        '2026-12-31T21:00:00.000Z',
        '2027-01-01T21:00:00.000Z',
      ]);
    });

    it('a leap year is compared with the 366 days before it', () => {
      const [from, to, previousFrom] = at('2024-12-31T20:00:00.000Z', 'this_year');
      expect([from, to, previousFrom]).toEqual([
        '2023-12-31T21:00:00.000Z',
        '2024-12-31T21:00:00.000Z',
        '2022-12-30T21:00:00.000Z',
      ]);
    });
  });

  describe('custom', () => {
    const now = '2026-03-10T12:00:00Z';

    it('takes local dates as local midnights, `to` exclusive, and compares whole days', () => {
      expect(at(now, 'custom', NAIROBI, '2026-02-01', '2026-03-01')).toEqual([
        '2026-01-31T21:00:00.000Z',
        '2026-02-28T21:00:00.000Z',
        '2026-01-03T21:00:00.000Z',
        '2026-01-31T21:00:00.000Z',
      ]);
    });

    it('takes instants and local date-times, compared with the same duration before', () => {
      expect(at(now, 'custom', NAIROBI, '2026-03-01T08:00', '2026-03-01T10:30:00Z')).toEqual([
        '2026-03-01T05:00:00.000Z',
        '2026-03-01T10:30:00.000Z',
        '2026-02-28T23:30:00.000Z',
        '2026-03-01T05:00:00.000Z',
      ]);
    });

    it.each([
      [undefined, '2026-03-01', 'from'],
      ['2026-03-01', undefined, 'to'],
      ['2026-03-02', '2026-03-01', 'to'],
      ['2026-03-01', '2026-03-01', 'to'],
      ['2026-02-30', '2026-03-01', 'from'],
      ['2026-02-30T00:00:00Z', '2026-03-05T00:00:00Z', 'from'],
      ['2026-02-01T00:00:00+03:00', '2026-04-31T00:00:00+03:00', 'to'],
      ['yesterday', '2026-03-01', 'from'],
      ['2025-01-01', '2026-03-01', 'to'],
    ])('rejects from=%s to=%s (field %s)', (from, to, field) => {
      expect.assertions(2);
      try {
        at(now, 'custom', NAIROBI, from, to);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationFailedError);
        expect((error as ValidationFailedError).details).toEqual([
          expect.objectContaining({ field }),
        ]);
      }
    });

    it('refuses from/to with a named period', () => {
      expect(() => at(now, 'today', NAIROBI, '2026-03-01', '2026-03-02')).toThrow(
        ValidationFailedError,
      );
    });
  });

  it('lists the local dates a period touches', () => {
    const period = resolvePeriod({ period: 'this_week' }, NAIROBI, new Date('2026-03-11T07:00Z'));
    expect(localDatesOf(period, NAIROBI)).toEqual(['2026-03-09', '2026-03-10', '2026-03-11']);
  });
});

describe('wall-clock arithmetic in other zones', () => {
  it('reads offsets, including historical second-level ones', () => {
    expect(offsetAt(Date.parse('2026-06-01T00:00:00Z'), NAIROBI)).toBe(3 * 3_600_000);
    expect(offsetAt(Date.parse('2026-06-01T00:00:00Z'), 'Asia/Kathmandu')).toBe(20_700_000);
    expect(offsetAt(Date.parse('2026-06-01T00:00:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
  });

  it('a spring-forward day in London has 23 hours and is compared with the day before', () => {
    expect(at('2026-03-29T12:00:00Z', 'today', 'Europe/London')).toEqual([
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T23:00:00.000Z',
      '2026-03-28T00:00:00.000Z',
      '2026-03-29T00:00:00.000Z',
    ]);
  });

  it('a fall-back day in New York has 25 hours', () => {
    expect(at('2026-11-01T12:00:00Z', 'today', 'America/New_York').slice(0, 2)).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-02T05:00:00.000Z',
    ]);
  });

  it('a day whose midnight is skipped starts when the clocks jump (São Paulo 2018)', () => {
    expect(
      new Date(startOfLocalDay({ year: 2018, month: 11, day: 4 }, 'America/Sao_Paulo')),
    ).toEqual(new Date('2018-11-04T03:00:00Z'));
    expect(at('2018-11-04T15:00:00Z', 'today', 'America/Sao_Paulo').slice(0, 3)).toEqual([
      '2018-11-04T03:00:00.000Z',
      '2018-11-05T02:00:00.000Z',
      '2018-11-03T03:00:00.000Z',
    ]);
  });

  it('a wall time that happens twice resolves to the earlier instant', () => {
    const wall = { year: 2026, month: 10, day: 25, hour: 1, minute: 30, second: 0 };
    expect(new Date(instantOf(wall, 'Europe/London'))).toEqual(new Date('2026-10-25T00:30:00Z'));
    expect(wallTimeAt(Date.parse('2026-10-25T01:30:00Z'), 'Europe/London')).toMatchObject({
      hour: 1,
      minute: 30,
    });
  });

  it('weeks start on Monday in zones far from UTC', () => {
    // Monday 16 March 00:30 in Kiritimati (UTC+14) is Sunday 15 March 10:30 UTC.
    expect(at('2026-03-15T10:30:00Z', 'this_week', 'Pacific/Kiritimati').slice(0, 2)).toEqual([
      '2026-03-15T10:00:00.000Z',
      '2026-03-16T10:00:00.000Z',
    ]);
    // Sunday 15 March 23:30 in Pago Pago (UTC−11) is Monday 16 March 10:30 UTC.
    expect(at('2026-03-16T10:30:00Z', 'this_week', 'Pacific/Pago_Pago')[0]).toBe(
      '2026-03-09T11:00:00.000Z',
    );
  });

  it('parses offsets and Z as instants whatever the zone', () => {
    expect(parseBoundary('2026-03-01T00:00:00+03:00', 'America/New_York').toISOString()).toBe(
      '2026-02-28T21:00:00.000Z',
    );
    expect(parseBoundary('2026-03-01', 'America/New_York').toISOString()).toBe(
      '2026-03-01T05:00:00.000Z',
    );
  });
});
