import { DataSource } from 'typeorm';
import { ReportClock } from '../../src/modules/reports/report-scope';
import { startTestApp, TestApp } from '../support/app';
import { seedStore, signedIn } from '../support/auth';
import { seedProduct } from '../support/catalog';
import { getReport, sellAt, staffedStore } from '../support/reports';

describe('report periods', () => {
  let api: TestApp;
  let admin: string;
  let bread: string;

  beforeAll(async () => {
    api = await startTestApp({ env: { SALE_MAX_BACKDATE_HOURS: '200000' } });
    admin = (await signedIn(api, 'admin')).token;
    bread = await seedProduct(api, { unitPrice: 5000, taxClass: 'zero' });
  });
  afterAll(() => api.close());
  afterEach(() => jest.restoreAllMocks());

  describe('periods at fixed clocks in Africa/Nairobi', () => {
    let storeId: string;
    const sold: Record<string, string> = {
      sunday: '2026-03-15T20:59:59.999Z', // Sunday 15 March 23:59:59.999 local, 1 bread
      monday: '2026-03-15T21:00:00.000Z', // Monday 16 March 00:00 local, 2 breads
      february: '2026-02-28T20:59:59.999Z', // 28 February 23:59:59.999 local, 3 breads
      march: '2026-02-28T21:00:00.000Z', // 1 March 00:00 local, 4 breads
      oldYear: '2025-12-31T20:59:59.999Z', // 31 December 2025 23:59:59.999 local, 5 breads
      newYear: '2025-12-31T21:00:00.000Z', // 1 January 2026 00:00 local, 6 breads
    };

    beforeAll(async () => {
      const staff = await staffedStore(api);
      storeId = staff.storeId;
      let breads = 1;
      for (const occurredAt of Object.values(sold)) {
        await sellAt(api, staff.cashier, storeId, occurredAt, [
          { productId: bread, quantity: breads++ },
        ]);
      }
    });

    /** Gross sales (5000 a bread) of the current and previous period at a pinned clock. */
    const grossAt = async (now: string, period: string) => {
      jest.spyOn(api.app.get(ReportClock), 'now').mockReturnValue(new Date(now));
      const response = await getReport(api, admin, 'sales-summary', { storeId, period });
      expect(response.statusCode).toBe(200);
      const { totals, previousTotals, changePct } = response.json();
      return [totals.grossSales / 5000, previousTotals.grossSales / 5000, changePct.grossSales];
    };

    it.each([
      ['at Monday 00:00 local, today is Monday', '2026-03-15T21:00:00.000Z', 'today', [2, 1, 100]],
      [
        'at Monday 00:00, yesterday is Sunday',
        '2026-03-15T21:00:00.000Z',
        'yesterday',
        [1, 0, null],
      ],
      ['at Monday 00:00 a new week starts', '2026-03-15T21:00:00.000Z', 'this_week', [2, 1, 100]],
      [
        'on Sunday 23:59:59.999 the week is Mon–Sun',
        '2026-03-15T20:59:59.999Z',
        'this_week',
        [1, 0, null],
      ],
      ['on Sunday 23:59:59.999 today is Sunday', '2026-03-15T20:59:59.999Z', 'today', [1, 0, null]],
      ['last_7_days ends with today', '2026-03-15T21:00:00.000Z', 'last_7_days', [3, 0, null]],
      [
        'mid-March, this month against the 15 days before',
        '2026-03-15T20:59:59.999Z',
        'this_month',
        [5, 3, 66.67],
      ],
      [
        'at 1 March 00:00 the month is March',
        '2026-02-28T21:00:00.000Z',
        'this_month',
        [4, 3, 33.33],
      ],
      [
        'on 28 February 23:59:59.999 the month is February',
        '2026-02-28T20:59:59.999Z',
        'this_month',
        [3, 0, null],
      ],
      [
        'at 1 January 00:00 the year is the new one',
        '2025-12-31T21:00:00.000Z',
        'this_year',
        [6, 5, 20],
      ],
      [
        'on 31 December 23:59:59.999 the year is the old one',
        '2025-12-31T20:59:59.999Z',
        'this_year',
        [5, 0, null],
      ],
      [
        'last_30_days at 1 March 00:00 reaches back to 31 January',
        '2026-02-28T21:00:00.000Z',
        'last_30_days',
        [7, 6, 16.67],
      ],
    ])('%s', async (_name, now, period, expected) => {
      expect(await grossAt(now, period)).toEqual(expected);
    });
  });

  it("uses the store's own time zone, and Africa/Nairobi when the stores in scope differ", async () => {
    const storeId = await seedStore(api);
    await api.app
      .get(DataSource)
      .query(`UPDATE stores SET time_zone = 'America/New_York' WHERE id = $1`, [storeId]);
    const query = { period: 'custom', from: '2026-03-01', to: '2026-03-02' };
    const own = (await getReport(api, admin, 'sales-summary', { ...query, storeId })).json();
    expect(own).toMatchObject({
      timeZone: 'America/New_York',
      period: { from: '2026-03-01T05:00:00.000Z', to: '2026-03-02T05:00:00.000Z' },
    });
    const all = (await getReport(api, admin, 'sales-summary', query)).json();
    expect(all).toMatchObject({
      timeZone: 'Africa/Nairobi',
      period: { from: '2026-02-28T21:00:00.000Z', to: '2026-03-01T21:00:00.000Z' },
    });
  });

  it('reads a custom boundary whose + offset came unencoded (a space in the query string)', async () => {
    const response = await api.request({
      method: 'GET',
      url: '/api/v1/reports/sales-summary?period=custom&from=2026-03-01T09:30:00+03:00&to=2026-03-02T09:30+0300',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().period).toEqual({
      from: '2026-03-01T06:30:00.000Z',
      to: '2026-03-02T06:30:00.000Z',
    });
  });
});
