import { randomInt } from 'node:crypto';
import { startTestApp, TestApp } from '../support/app';
import { bearer, login, seedUser, signedIn } from '../support/auth';
import { receiveStock, seedProduct } from '../support/catalog';
import { getReport, parseCsv, sellAt, staffedStore } from '../support/reports';

describe('reports', () => {
  let api: TestApp;
  let cashier: string;
  let admin: string;
  let milk: string;
  let bread: string;

  const storeWithStaff = () => staffedStore(api);

  beforeAll(async () => {
    api = await startTestApp({ env: { SALE_MAX_BACKDATE_HOURS: '200000' } });
    admin = (await signedIn(api, 'admin')).token;
    milk = await seedProduct(api, { unitPrice: 11600, taxClass: 'standard', name: 'Milk 1L' });
    bread = await seedProduct(api, { unitPrice: 5000, taxClass: 'zero', name: 'Bread' });
    const seller = await seedUser(api, 'cashier', [], { commissionRate: 2.5 });
    cashier = (await login(api, seller.username)).accessToken;
  });
  afterAll(() => api.close());

  it('sums a custom month in the store time zone, by store, payment method and local day', async () => {
    const { storeId, manager, cashier: seller } = await storeWithStaff();
    // 1 March 00:00 in Nairobi: discount, split tender with change.
    await sellAt(
      api,
      seller,
      storeId,
      '2026-02-28T21:00:00.000Z',
      [
        { productId: milk, quantity: 2, discount: 200 },
        { productId: bread, quantity: 1 },
      ],
      [
        { method: 'mpesa', amount: 20000, reference: 'QKT4XYZ12A' },
        { method: 'cash', amount: 10000 },
      ],
    );
    // 31 March 23:59:59.999 local: still March.
    await sellAt(api, seller, storeId, '2026-03-31T20:59:59.999Z', [
      { productId: bread, quantity: 2 },
    ]);
    // 28 February 23:59:59.999 local: the previous period; paid by card.
    await sellAt(
      api,
      seller,
      storeId,
      '2026-02-28T20:59:59.999Z',
      [{ productId: milk, quantity: 1 }],
      [{ method: 'card', amount: 11600 }],
    );
    // 1 April 00:00 local: outside both.
    await sellAt(api, seller, storeId, '2026-03-31T21:00:00.000Z', [
      { productId: bread, quantity: 1 },
    ]);

    const response = await getReport(api, manager, 'sales-summary', {
      storeId,
      period: 'custom',
      from: '2026-03-01',
      to: '2026-04-01',
    });
    expect(response.statusCode).toBe(200);
    const summary = response.json();
    expect(summary).toMatchObject({
      storeId,
      timeZone: 'Africa/Nairobi',
      period: { from: '2026-02-28T21:00:00.000Z', to: '2026-03-31T21:00:00.000Z' },
      previousPeriod: { from: '2026-01-28T21:00:00.000Z', to: '2026-02-28T21:00:00.000Z' },
    });
    expect(summary.totals).toEqual({
      salesCount: 2,
      itemsSold: 5,
      itemsReturned: 0,
      grossSales: 38200,
      discounts: 200,
      vat: 3172,
      returns: 0,
      returnsCount: 0,
      netSales: 34828, // 38000 paid − 0 returns − 3172 VAT
      averageSale: 19000,
    });
    expect(summary.previousTotals).toEqual({
      salesCount: 1,
      grossSales: 11600,
      discounts: 0,
      vat: 1600,
      returns: 0,
      returnsCount: 0,
      netSales: 10000,
      averageSale: 11600,
    });
    expect(summary.changePct).toEqual({
      salesCount: 100,
      grossSales: 229.31,
      netSales: 248.28,
      averageSale: 63.79,
    });
    expect(summary.byStore).toEqual([
      expect.objectContaining({ storeId, salesCount: 2, grossSales: 38200, netSales: 34828 }),
    ]);
    expect(summary.byPaymentMethod).toEqual([
      { method: 'cash', payments: 2, amount: 18000, refunds: 0, net: 18000 }, // 20000 − 2000 change
      { method: 'mpesa', payments: 1, amount: 20000, refunds: 0, net: 20000 },
      { method: 'card', payments: 0, amount: 0, refunds: 0, net: 0 },
    ]);
    expect(summary.byDay).toHaveLength(31);
    expect(summary.byDay[0]).toMatchObject({ date: '2026-03-01', salesCount: 1, itemsSold: 3 });
    expect(summary.byDay[30]).toMatchObject({ date: '2026-03-31', salesCount: 1, itemsSold: 2 });
    expect(summary.byDay.slice(1, 30).every((day: { salesCount: number }) => !day.salesCount)).toBe(
      true,
    );
    expect(new Date(summary.computedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('reports null % change when the previous period was zero', async () => {
    const { storeId, manager, cashier: seller } = await storeWithStaff();
    await sellAt(api, seller, storeId, '2026-05-05T09:00:00+03:00', [
      { productId: bread, quantity: 1 },
    ]);
    const day = { storeId, period: 'custom', from: '2026-05-05', to: '2026-05-06' };
    const withSales = (await getReport(api, manager, 'sales-summary', day)).json();
    expect(withSales.totals).toMatchObject({ salesCount: 1, grossSales: 5000, netSales: 5000 });
    expect(withSales.previousTotals).toMatchObject({ salesCount: 0, grossSales: 0, netSales: 0 });
    expect(withSales.changePct).toEqual({
      salesCount: null,
      grossSales: null,
      netSales: null,
      averageSale: null,
    });
    const after = { ...day, from: '2026-05-06', to: '2026-05-07' };
    const fallen = (await getReport(api, manager, 'sales-summary', after)).json();
    expect(fallen.totals).toMatchObject({ salesCount: 0, averageSale: 0 });
    expect(fallen.changePct).toEqual({
      salesCount: -100,
      grossSales: -100,
      netSales: -100,
      averageSale: -100,
    });
  });

  it('counts a return in the period it was made, not in the period of the sale', async () => {
    const { storeId, manager, cashier: seller, cashierId: sellerId } = await storeWithStaff();
    const soldAt = new Date(Date.now() - 48 * 3_600_000);
    const sale = await sellAt(api, seller, storeId, soldAt.toISOString(), [
      { productId: milk, quantity: 2 },
    ]);
    const returned = await api.request({
      method: 'POST',
      url: `/api/v1/sales/${sale.id}/returns`,
      headers: bearer(manager),
      payload: {
        items: [{ lineId: sale.lines[0].id, quantity: 1 }],
        reason: 'Leaking carton',
        restock: false,
        refundMethod: 'cash',
      },
    });
    expect(returned.statusCode).toBe(201);
    expect(returned.json()).toMatchObject({ refundTotal: 11600, vatRefund: 1600 });

    const around = {
      storeId,
      period: 'custom',
      from: new Date(soldAt.getTime() - 3_600_000).toISOString(),
      to: new Date(soldAt.getTime() + 3_600_000).toISOString(),
    };
    const saleTime = (await getReport(api, manager, 'sales-summary', around)).json();
    expect(saleTime.totals).toMatchObject({
      salesCount: 1,
      grossSales: 23200,
      vat: 3200,
      returns: 0,
      netSales: 20000,
    });
    const today = (await getReport(api, manager, 'sales-summary', { storeId })).json();
    expect(today.totals).toMatchObject({
      salesCount: 0,
      itemsSold: 0,
      itemsReturned: 1,
      returns: 11600,
      returnsCount: 1,
      vat: -1600,
      netSales: -10000,
    });
    expect(today.byPaymentMethod[0]).toEqual({
      method: 'cash',
      payments: 0,
      amount: 0,
      refunds: 11600,
      net: -11600,
    });

    const cashiersThen = (await getReport(api, manager, 'cashiers', around)).json();
    expect(cashiersThen.data).toEqual([
      expect.objectContaining({
        cashierId: sellerId,
        salesCount: 1,
        grossSales: 23200,
        returns: 0,
        netSales: 20000,
        commission: 500,
      }),
    ]);
    const cashiersToday = (await getReport(api, manager, 'cashiers', { storeId })).json();
    expect(cashiersToday.data).toEqual([
      expect.objectContaining({ cashierId: sellerId, salesCount: 0, returns: 11600 }),
    ]);
    expect(cashiersToday.data[0]).toMatchObject({ netSales: -10000, commission: -250 });

    const productsToday = (await getReport(api, manager, 'top-products', { storeId })).json();
    expect(productsToday.data).toEqual([
      {
        rank: 1,
        productId: milk,
        sku: expect.any(String),
        name: 'Milk 1L',
        quantitySold: 0,
        quantityReturned: 1,
        quantity: -1,
        revenue: -11600,
        netRevenue: -10000,
      },
    ]);
  });

  describe('access', () => {
    const reports = ['sales-summary', 'top-products', 'cashiers', 'inventory-valuation'];

    it('shows a manager only their stores and answers 404 for another store', async () => {
      const mine = await storeWithStaff();
      const other = await storeWithStaff();
      for (const report of reports) {
        const own = await getReport(api, mine.manager, report, { storeId: mine.storeId });
        expect(own.statusCode).toBe(200);
        const foreign = await getReport(api, mine.manager, report, { storeId: other.storeId });
        expect(foreign.statusCode).toBe(404);
        expect(foreign.json().code).toBe('NOT_FOUND');
      }
      const summary = (await getReport(api, mine.manager, 'sales-summary')).json();
      expect(summary.storeId).toBeNull();
      expect(summary.byStore.map((row: { storeId: string }) => row.storeId)).toEqual([
        mine.storeId,
      ]);
    });

    it('without storeId, shows a manager none of another store’s products, cashiers or stock', async () => {
      const mine = await storeWithStaff();
      const other = await storeWithStaff();
      const ours = await seedProduct(api, { unitPrice: 3000, costPrice: 2000, name: 'Ours' });
      const theirs = await seedProduct(api, { unitPrice: 7000, costPrice: 4000, name: 'Theirs' });
      // A day of its own, so no cached answer of another run is read.
      const day = new Date(Date.UTC(2021, 0, 1) + randomInt(2000) * 86_400_000);
      const period = {
        period: 'custom',
        from: day.toISOString().slice(0, 10),
        to: new Date(day.getTime() + 86_400_000).toISOString().slice(0, 10),
      };
      const noon = new Date(day.getTime() + 9 * 3_600_000).toISOString();
      await sellAt(api, mine.cashier, mine.storeId, noon, [{ productId: ours, quantity: 1 }]);
      await sellAt(api, other.cashier, other.storeId, noon, [
        { productId: theirs, quantity: 2 },
        { productId: ours, quantity: 3 },
      ]);
      await receiveStock(api, mine.storeId, ours, 4);
      await receiveStock(api, other.storeId, ours, 10);
      await receiveStock(api, other.storeId, theirs, 6);

      const top = await getReport(api, mine.manager, 'top-products', period);
      expect(top.statusCode).toBe(200);
      expect(top.json().data).toEqual([
        expect.objectContaining({ productId: ours, quantitySold: 1, revenue: 3000 }),
      ]);
      const cashiers = await getReport(api, mine.manager, 'cashiers', period);
      expect(cashiers.statusCode).toBe(200);
      expect(cashiers.json().data.map((row: { cashierId: string }) => row.cashierId)).toEqual([
        mine.cashierId,
      ]);
      const valuation = await getReport(api, mine.manager, 'inventory-valuation');
      expect(valuation.statusCode).toBe(200);
      expect(valuation.json()).toMatchObject({
        storeId: null,
        totals: { products: 1, quantity: 4, costValue: 8000, retailValue: 12000 },
        byStore: [expect.objectContaining({ storeId: mine.storeId, quantity: 4 })],
        data: [expect.objectContaining({ productId: ours, quantity: 4 })],
      });
      expect(valuation.json().byStore).toHaveLength(1);

      // The CSV forms of the same reports leave the other store out too.
      const csv = async (report: string, query: Record<string, string> = {}) => {
        const response = await getReport(api, mine.manager, report, { ...query, format: 'csv' });
        expect({ report, status: response.statusCode }).toEqual({ report, status: 200 });
        return parseCsv(response.body).slice(1);
      };
      expect((await csv('top-products', period)).map((row) => row[1])).toEqual([ours]);
      expect((await csv('cashiers', period)).map((row) => row[0])).toEqual([mine.cashierId]);
      expect((await csv('inventory-valuation')).map((row) => [row[0], row[4]])).toEqual([
        [ours, '4'],
      ]);
    });

    it('refuses a manager another store’s inventory-valuation CSV with a 404 JSON error', async () => {
      const mine = await storeWithStaff();
      const other = await storeWithStaff();
      const productId = await seedProduct(api);
      await receiveStock(api, other.storeId, productId, 5);
      const response = await getReport(api, mine.manager, 'inventory-valuation', {
        storeId: other.storeId,
        format: 'csv',
      });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['content-disposition']).toBeUndefined();
      expect(response.json().code).toBe('NOT_FOUND');
      expect(response.body).not.toContain(productId);
    });

    it('gives a manager without stores empty reports', async () => {
      const { token } = await signedIn(api, 'manager', []);
      const summary = (await getReport(api, token, 'sales-summary')).json();
      expect(summary).toMatchObject({ byStore: [], totals: { salesCount: 0, netSales: 0 } });
      const valuation = (await getReport(api, token, 'inventory-valuation')).json();
      expect(valuation).toMatchObject({ data: [], total: 0, totals: { costValue: 0 } });
    });

    it('shows an admin every store', async () => {
      const one = await storeWithStaff();
      const two = await storeWithStaff();
      // A day of its own: reports are cached in the shared Redis for 30 s, and an admin's
      // all-store report of a day another run asked for would list that run's stores.
      const day = new Date(Date.UTC(2020, 0, 1) + randomInt(2000) * 86_400_000);
      const next = new Date(day.getTime() + 86_400_000);
      const query = {
        period: 'custom',
        from: day.toISOString().slice(0, 10),
        to: next.toISOString().slice(0, 10),
      };
      const summary = (await getReport(api, admin, 'sales-summary', query)).json();
      const ids = summary.byStore.map((row: { storeId: string }) => row.storeId);
      expect(ids).toEqual(expect.arrayContaining([one.storeId, two.storeId]));
    });

    it('refuses cashiers (403) and anonymous callers (401)', async () => {
      for (const report of reports) {
        const response = await getReport(api, cashier, report);
        expect(response.statusCode).toBe(403);
        expect(response.json().code).toBe('FORBIDDEN');
        const anonymous = await api.request({ method: 'GET', url: `/api/v1/reports/${report}` });
        expect(anonymous.statusCode).toBe(401);
      }
    });

    it.each([
      [{ period: 'fortnight' }, 'period'],
      [{ period: 'custom', to: '2026-03-01' }, 'from'],
      [{ period: 'custom', from: '2026-03-02', to: '2026-03-01' }, 'to'],
      [{ period: 'today', from: '2026-03-01' }, 'from'],
      [{ storeId: 'not-a-uuid' }, 'storeId'],
      [{ format: 'xml' }, 'format'],
      [{ surprise: '1' }, 'surprise'],
    ])('rejects %j with 400 naming %s', async (query, field) => {
      const response = await getReport(api, admin, 'sales-summary', query);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: expect.arrayContaining([expect.objectContaining({ field })]),
      });
    });

    it('rejects a top-products limit outside 1–1000', async () => {
      for (const limit of [0, 1001]) {
        const response = await getReport(api, admin, 'top-products', { limit });
        expect(response.statusCode).toBe(400);
      }
    });
  });
});
