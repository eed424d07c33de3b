import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DailyRollupService } from '../../src/modules/reports/daily-rollup.service';
import { localDatesOf, resolvePeriod } from '../../src/modules/reports/periods';
import { ReportsRepository, ReportWindow } from '../../src/modules/reports/reports.repository';
import { buildSummary } from '../../src/modules/reports/sales-summary';
import { startTestApp, TestApp } from '../support/app';
import { seedStore, seedUser } from '../support/auth';
import { seedProduct } from '../support/catalog';
import { ROLL_UP_STORE } from '../../src/modules/reports/report-sql';
import { waitForLockWaiters } from '../support/pg-activity';
import { insertSale } from '../support/reports';

const HOUR = 3_600_000;

describe('daily rollup of closed days', () => {
  let api: TestApp;
  let dataSource: DataSource;
  let rollup: DailyRollupService;
  let repository: ReportsRepository;
  let storeId: string;
  let cashierId: string;
  let milk: string;
  let bread: string;

  /** The summary of [from, to) computed live and with the rollup: they must agree. */
  const bothWays = async (from: string, to: string, zone = 'Africa/Nairobi', store = storeId) => {
    const period = resolvePeriod({ period: 'custom', from, to }, zone, new Date());
    const window: ReportWindow = {
      storeIds: [store],
      from: period.from,
      to: period.to,
      previousFrom: period.previous.from,
      timeZone: zone,
      wholeDays: false,
      backdateHours: 72,
    };
    const days = localDatesOf(period, zone);
    const live = buildSummary(await repository.salesSummary(window), days);
    const rolled = buildSummary(
      await repository.salesSummary({ ...window, wholeDays: true }),
      days,
    );
    return {
      live: { ...live, ofStore: live.ofStore(store) },
      rolled: { ...rolled, ofStore: rolled.ofStore(store) },
    };
  };

  const rows = () =>
    dataSource.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, time_zone, backdate_hours, sales_count, items,
              cash_payments, cash_amount, mpesa_amount, card_amount, change
         FROM report_daily_sales WHERE store_id = $1 ORDER BY day`,
      [storeId],
    );

  beforeAll(async () => {
    api = await startTestApp();
    dataSource = api.app.get(DataSource);
    rollup = api.app.get(DailyRollupService);
    repository = api.app.get(ReportsRepository);
    storeId = await seedStore(api);
    cashierId = (await seedUser(api, 'cashier', [storeId])).id;
    milk = await seedProduct(api, { unitPrice: 11600 });
    bread = await seedProduct(api, { unitPrice: 5000, taxClass: 'zero' });
    const sell = (occurredAt: string, lines: object[], payments?: object[]) =>
      insertSale(api, { storeId, cashierId, occurredAt, lines, payments } as never);
    await sell(
      '2026-02-10T09:00:00+03:00',
      [
        { productId: milk, quantity: 2, unitPrice: 11600, discount: 100, vat: 3186 },
        { productId: bread, quantity: 1, unitPrice: 5000 },
      ],
      [
        { method: 'mpesa', amount: 10000 },
        { method: 'cash', amount: 20000 },
      ],
    );
    await sell(
      '2026-02-10T20:00:00+03:00',
      [{ productId: bread, quantity: 3, unitPrice: 5000 }],
      [{ method: 'card', amount: 15000 }],
    );
    await sell('2026-02-12T23:59:59+03:00', [
      { productId: milk, quantity: 1, unitPrice: 11600, vat: 1600 },
    ]);
    await sell('2026-03-01T00:00:00+03:00', [{ productId: bread, quantity: 2, unitPrice: 5000 }]);
    // Closed, and recent enough for a custom period that reaches today (at most 366 days).
    await sell(new Date(Date.now() - 10 * 24 * HOUR).toISOString(), [
      { productId: bread, quantity: 2, unitPrice: 5000 },
    ]);
    // Still open to backdated sales: aggregated live only.
    await sell(new Date(Date.now() - 50 * HOUR).toISOString(), [
      { productId: bread, quantity: 1, unitPrice: 5000 },
    ]);
    await sell(new Date(Date.now() - HOUR).toISOString(), [
      { productId: milk, quantity: 1, unitPrice: 11600, vat: 1600 },
    ]);
  });
  afterAll(() => api.close());

  it('writes one row per closed day from the first sale on, zeros included, never an open day', async () => {
    await rollup.rollUpAll();
    const written = await rows();
    expect(written[0]).toMatchObject({
      day: '2026-02-10',
      time_zone: 'Africa/Nairobi',
      backdate_hours: 72,
      sales_count: 2,
      items: 6,
      cash_payments: 1,
      cash_amount: 20000,
      mpesa_amount: 10000,
      card_amount: 15000,
      change: 1900, // 30000 paid for 28100
    });
    expect(written[1]).toMatchObject({ day: '2026-02-11', sales_count: 0, items: 0 });
    const lastClosed = new Date(Date.now() - 72 * HOUR - 15 * 60_000 - 24 * HOUR);
    const expectedLast = new Intl.DateTimeFormat('en-CA', { timeZone: 'Africa/Nairobi' }).format(
      lastClosed,
    );
    expect(written.at(-1).day).toBe(expectedLast);
    const days = written.map((row: { day: string }) => row.day);
    expect(new Set(days).size).toBe(days.length);
    expect(
      written.reduce((sum: number, row: { sales_count: number }) => sum + row.sales_count, 0),
    ).toBe(5);
    expect(await rollup.rollUp()).toBe(false); // nothing more to do
    expect(await rows()).toHaveLength(written.length);
  });

  it('gives the same figures as live aggregation, for closed and open days alike', async () => {
    await rollup.rollUpAll();
    const february = await bothWays('2026-02-01', '2026-03-01');
    expect(february.rolled).toEqual(february.live);
    expect(february.rolled.totals).toMatchObject({
      salesCount: 3,
      itemsSold: 7,
      grossSales: 54800,
    });
    const localDate = (hoursFromNow: number) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: 'Africa/Nairobi' }).format(
        new Date(Date.now() + hoursFromNow * HOUR),
      );
    const recent = await bothWays(localDate(-12 * 24), localDate(24));
    expect(recent.rolled).toEqual(recent.live);
    expect(recent.rolled.totals.salesCount).toBe(3);
  });

  it('reads closed days from the rollup (a changed row shows)', async () => {
    await rollup.rollUpAll();
    await dataSource.query(
      `UPDATE report_daily_sales SET sales_count = sales_count + 1000 WHERE store_id = $1 AND day = '2026-02-11'`,
      [storeId],
    );
    const { live, rolled } = await bothWays('2026-02-01', '2026-03-01');
    expect(rolled.totals.salesCount).toBe(live.totals.salesCount + 1000);
    // Rows made under a shorter backdating window are not trusted, and are rebuilt.
    await dataSource.query(
      `UPDATE report_daily_sales SET backdate_hours = 24 WHERE store_id = $1`,
      [storeId],
    );
    const distrusted = await bothWays('2026-02-01', '2026-03-01');
    expect(distrusted.rolled).toEqual(distrusted.live);
    await rollup.rollUpAll();
    expect(
      (await rows()).every((row: { backdate_hours: number }) => row.backdate_hours === 72),
    ).toBe(true);
    const rebuilt = await bothWays('2026-02-01', '2026-03-01');
    expect(rebuilt.rolled).toEqual(rebuilt.live);
  });

  it('rebuilds a store in its new time zone', async () => {
    await rollup.rollUpAll();
    await dataSource.query(`UPDATE stores SET time_zone = 'America/New_York' WHERE id = $1`, [
      storeId,
    ]);
    try {
      const stale = await bothWays('2026-02-01', '2026-03-01', 'America/New_York');
      expect(stale.rolled).toEqual(stale.live);
      await rollup.rollUpAll();
      const written = await rows();
      expect(
        written.every((row: { time_zone: string }) => row.time_zone === 'America/New_York'),
      ).toBe(true);
      // 09:00 in Nairobi on 10 February is 01:00 the same day in New York; 20:00 is 12:00.
      expect(written[0]).toMatchObject({ day: '2026-02-10', sales_count: 2 });
      const rebuilt = await bothWays('2026-02-01', '2026-03-01', 'America/New_York');
      expect(rebuilt.rolled).toEqual(rebuilt.live);
    } finally {
      await dataSource.query(`UPDATE stores SET time_zone = 'Africa/Nairobi' WHERE id = $1`, [
        storeId,
      ]);
    }
  });

  it('takes a time zone change that commits during a pass either before or after the store’s step, whole', async () => {
    await rollup.rollUpAll();
    // The store's last five days are still to roll up when the pass reaches it.
    await dataSource.query(
      `DELETE FROM report_daily_sales WHERE store_id = $1
          AND day > (SELECT max(day) - 5 FROM report_daily_sales WHERE store_id = $1)`,
      [storeId],
    );
    const admin = new Client({ connectionString: api.database.url });
    await admin.connect();
    try {
      await admin.query('BEGIN');
      await admin.query(`UPDATE stores SET time_zone = 'America/New_York' WHERE id = $1`, [
        storeId,
      ]);
      const pass = rollup.rollUp();
      // The pass waits on the store row, between no two of its statements for this store.
      await waitForLockWaiters(dataSource, 1);
      await admin.query('COMMIT');
      await pass;
      await rollup.rollUpAll();
      const written: { day: string; time_zone: string }[] = await rows();
      expect(written.every((row) => row.time_zone === 'America/New_York')).toBe(true);
      expect(written[0].day).toBe('2026-02-10');
      const [{ gaps }] = await dataSource.query(
        `SELECT count(*)::int AS gaps FROM (
           SELECT day - lag(day) OVER (ORDER BY day) AS step FROM report_daily_sales WHERE store_id = $1) s
          WHERE step <> 1`,
        [storeId],
      );
      expect(gaps).toBe(0);
      const rebuilt = await bothWays('2026-02-01', '2026-03-01', 'America/New_York');
      expect(rebuilt.rolled).toEqual(rebuilt.live);
      expect(rebuilt.rolled.totals.salesCount).toBe(4); // 1 March 00:00 in Nairobi is in February there
    } finally {
      await admin.end();
      await dataSource.query(`UPDATE stores SET time_zone = 'Africa/Nairobi' WHERE id = $1`, [
        storeId,
      ]);
    }
  });

  it('where midnight happens twice (Azores, 25 October 2026), its first hour is the new day’s, rolled up or live', async () => {
    const azores = await seedStore(api);
    await dataSource.query(`UPDATE stores SET time_zone = 'Atlantic/Azores' WHERE id = $1`, [
      azores,
    ]);
    // At 01:00Z the clocks go from 01:00 (UTC+0) back to 00:00 (UTC−1): local 00:00–01:00 on
    // the 25th is 00:00–01:00Z and again 01:00–02:00Z.
    for (const occurredAt of [
      '2026-10-24T12:00:00Z',
      '2026-10-25T00:30:00Z',
      '2026-10-25T01:30:00Z',
      '2026-10-25T12:00:00Z',
    ]) {
      await insertSale(api, {
        storeId: azores,
        cashierId,
        occurredAt,
        lines: [{ productId: bread, quantity: 1, unitPrice: 5000 }],
      });
    }
    // One day per pass, as once the rollup has caught up: a pass ends at that midnight.
    while ((await dataSource.query(ROLL_UP_STORE, [azores, 72, 1])).length > 0);
    const counts = await dataSource.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, sales_count FROM report_daily_sales
        WHERE store_id = $1 AND day <= '2026-10-26' ORDER BY day`,
      [azores],
    );
    expect(counts).toEqual([
      { day: '2026-10-24', sales_count: 1 },
      { day: '2026-10-25', sales_count: 3 },
      { day: '2026-10-26', sales_count: 0 },
    ]);
    // The 24th rolled up, the 25th on read live: the live part starts at the first midnight.
    await dataSource.query(
      `DELETE FROM report_daily_sales WHERE store_id = $1 AND day >= '2026-10-25'`,
      [azores],
    );
    const both = await bothWays('2026-10-24', '2026-10-26', 'Atlantic/Azores', azores);
    expect(both.rolled).toEqual(both.live);
    expect(both.live.totals.salesCount).toBe(4);
  });

  it('lets one instance roll up at a time', async () => {
    const other = await seedStore(api);
    await insertSale(api, {
      storeId: other,
      cashierId,
      occurredAt: '2026-04-01T12:00:00+03:00',
      lines: [{ productId: bread, quantity: 1, unitPrice: 5000 }],
    });
    const holder = new Client({ connectionString: api.database.url });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(7358120041)`);
      expect(await rollup.rollUp()).toBe(false);
      const [{ count }] = await dataSource.query(
        `SELECT count(*)::int AS count FROM report_daily_sales WHERE store_id = $1`,
        [other],
      );
      expect(count).toBe(0);
    } finally {
      await holder.end();
    }
    await rollup.rollUpAll();
    const [{ count }] = await dataSource.query(
      `SELECT count(*)::int AS count FROM report_daily_sales WHERE store_id = $1`,
      [other],
    );
    expect(count).toBeGreaterThan(0);
  });
});
