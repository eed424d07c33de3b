import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { signedIn } from '../support/auth';
import { openExportCursors } from '../support/cursors';
import { eventually } from '../support/eventually';
import { receiveStock, seedProduct } from '../support/catalog';
import { getReport, parseCsv, sellAt, staffedStore as staffedStoreOf } from '../support/reports';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe('reports: cache and CSV', () => {
  let api: TestApp;
  let dataSource: DataSource;
  let bread: string;

  const staffedStore = () => staffedStoreOf(api);

  beforeAll(async () => {
    api = await startTestApp({ env: { SALE_MAX_BACKDATE_HOURS: '200000' } });
    dataSource = api.app.get(DataSource);
    bread = await seedProduct(api, { unitPrice: 5000, taxClass: 'zero' });
  });
  afterAll(() => api.close());

  describe('cache', () => {
    it('keeps two managers apart and serves a cached answer, saying when it was computed', async () => {
      const a = await staffedStore();
      const b = await staffedStore();
      const day = '2026-06-10T10:00:00+03:00';
      await sellAt(api, a.cashier, a.storeId, day, [{ productId: bread, quantity: 1 }]);
      await sellAt(api, b.cashier, b.storeId, day, [{ productId: bread, quantity: 2 }]);
      const query = { period: 'custom', from: '2026-06-10', to: '2026-06-11' };

      const first = (await getReport(api, a.manager, 'sales-summary', query)).json();
      const other = (await getReport(api, b.manager, 'sales-summary', query)).json();
      expect(first.totals.grossSales).toBe(5000);
      expect(first.byStore.map((row: { storeId: string }) => row.storeId)).toEqual([a.storeId]);
      expect(other.totals.grossSales).toBe(10000);
      expect(other.byStore.map((row: { storeId: string }) => row.storeId)).toEqual([b.storeId]);

      // A new sale: the cached figures stay (at most REPORT_CACHE_SECONDS old) and say so.
      await sellAt(api, a.cashier, a.storeId, day, [{ productId: bread, quantity: 4 }]);
      const again = (await getReport(api, a.manager, 'sales-summary', query)).json();
      expect(again).toEqual(first);
      // Another manager of the same stores has the same scope, so the same answer.
      const colleague = (await signedIn(api, 'manager', [a.storeId])).token;
      expect((await getReport(api, colleague, 'sales-summary', query)).json()).toEqual(first);
      // B's cached answer is B's; a different query (one store) is computed afresh.
      expect((await getReport(api, b.manager, 'sales-summary', query)).json()).toEqual(other);
      const fresh = (
        await getReport(api, a.manager, 'sales-summary', { ...query, storeId: a.storeId })
      ).json();
      expect(fresh.totals.grossSales).toBe(25000);
      expect(Date.parse(fresh.computedAt)).toBeGreaterThanOrEqual(Date.parse(first.computedAt));
      // Having been cached for A does not open store A to B.
      const probe = await getReport(api, b.manager, 'sales-summary', {
        ...query,
        storeId: a.storeId,
      });
      expect(probe.statusCode).toBe(404);
      expect(probe.json().code).toBe('NOT_FOUND');
      expect(probe.body).not.toContain(a.storeId);
    });

    it('keeps entries in Redis for REPORT_CACHE_SECONDS (30)', async () => {
      const { storeId, manager } = await staffedStore();
      const query = { storeId, period: 'custom', from: '2026-06-12', to: '2026-06-13' };
      const summary = (await getReport(api, manager, 'sales-summary', query)).json();
      const redis = new Redis(process.env.TEST_REDIS_URL!);
      try {
        const keys = await redis.keys('pos:report:v1:*');
        const values = await Promise.all(keys.map((key) => redis.get(key)));
        const index = values.findIndex((value) => value === JSON.stringify(summary));
        expect(index).toBeGreaterThanOrEqual(0);
        const ttl = await redis.ttl(keys[index]);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(30);
        // A hash of the query: no store id or other plain value in the key.
        expect(keys[index]).toMatch(/^pos:report:v1:[0-9a-f]{64}$/);
      } finally {
        redis.disconnect();
      }
    });
  });

  describe('CSV', () => {
    const csvOf = async (token: string, report: string, query: Record<string, string>) => {
      const response = await getReport(api, token, report, { ...query, format: 'csv' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/csv/);
      expect(response.headers['content-disposition']).toBe(`attachment; filename="${report}.csv"`);
      return { text: response.body, rows: parseCsv(response.body) };
    };

    it('quotes per RFC 4180 and defuses spreadsheet formulas in every report', async () => {
      const { storeId, cashier, cashierId, manager } = await staffedStore();
      await dataSource.query(`UPDATE users SET full_name = $1 WHERE id = $2`, [
        '=2+3 "cmd"',
        cashierId,
      ]);
      const names = [
        '=HYPERLINK("http://evil.example","click")',
        'Milk, "fresh"',
        '+254 hotline',
        '@SUM(A1:A9)',
        'Two\nlines',
      ];
      const products: string[] = [];
      for (const [index, name] of names.entries())
        products.push(
          await seedProduct(api, { name, unitPrice: 1000 * (index + 1), taxClass: 'zero' }),
        );
      for (const productId of products) {
        await sellAt(api, cashier, storeId, '2026-07-01T12:00:00+03:00', [
          { productId, quantity: 1 },
        ]);
      }
      const period = { storeId, period: 'custom', from: '2026-07-01', to: '2026-07-02' };

      const top = await csvOf(manager, 'top-products', { ...period, sortBy: 'revenue' });
      expect(top.text.startsWith('rank,productId,sku,name,')).toBe(true);
      expect(top.text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
      expect(top.text).toContain(`"Milk, ""fresh"""`);
      expect(top.rows.slice(1).map((row) => row[3])).toEqual([
        'Two\nlines',
        "'@SUM(A1:A9)",
        "'+254 hotline",
        'Milk, "fresh"',
        `'=HYPERLINK("http://evil.example","click")`,
      ]);
      expect(top.text.endsWith('\r\n')).toBe(true);

      const cashiers = await csvOf(manager, 'cashiers', period);
      expect(cashiers.rows[0]).toEqual([
        'cashierId',
        'username',
        'fullName',
        'salesCount',
        'grossSales',
        'returns',
        'netSales',
        'commission',
      ]);
      expect(cashiers.rows[1][2]).toBe(`'=2+3 "cmd"`);
      expect(cashiers.rows[1].slice(3, 5)).toEqual(['5', '15000']);

      const summary = await csvOf(manager, 'sales-summary', period);
      expect(summary.rows).toEqual([
        [
          'date',
          'salesCount',
          'itemsSold',
          'itemsReturned',
          'grossSales',
          'discounts',
          'vat',
          'returns',
          'returnsCount',
          'netSales',
          'averageSale',
        ],
        ['2026-07-01', '5', '5', '0', '15000', '0', '0', '0', '0', '15000', '3000'],
      ]);

      await receiveStock(api, storeId, products[1], 3);
      const valuation = await csvOf(manager, 'inventory-valuation', { storeId });
      expect(valuation.rows[0]).toEqual([
        'productId',
        'sku',
        'name',
        'category',
        'quantity',
        'costPrice',
        'unitPrice',
        'costValue',
        'retailValue',
      ]);
      expect(valuation.rows.slice(1)).toEqual([
        [
          products[1],
          expect.any(String),
          'Milk, "fresh"',
          '',
          '3',
          '8000',
          '2000',
          '24000',
          '6000',
        ],
      ]);
    });

    it('values stock worth more than bigint holds, exactly while it fits in 2^53', async () => {
      const { storeId, manager } = await staffedStore();
      const [dear, priceless] = await Promise.all([
        seedProduct(api, { name: 'Dear', costPrice: 8_000_000_000, unitPrice: 9_000_000_000 }),
        seedProduct(api, {
          name: 'Priceless',
          costPrice: 1_000_000_000_000,
          unitPrice: 1_000_000_000_000,
        }),
      ]);
      await receiveStock(api, storeId, dear, 1_000_003);
      await receiveStock(api, storeId, priceless, 1_000_000_000);
      const response = await getReport(api, manager, 'inventory-valuation', { storeId });
      expect(response.statusCode).toBe(200);
      const rows = response.json().data;
      expect(rows.find((row: { productId: string }) => row.productId === dear)).toMatchObject({
        costValue: 8_000_024_000_000_000, // below 2^53: exact
        retailValue: 9_000_027_000_000_000,
      });
      expect(rows.find((row: { productId: string }) => row.productId === priceless)).toMatchObject({
        costValue: 1e21,
      });
      expect(response.json().totals.costValue).toBe(1e21 + 8_000_024_000_000_000);
    });

    it('streams a 100,000-product valuation with bounded memory', async () => {
      const { storeId, manager } = await staffedStore();
      await dataSource.query(
        `INSERT INTO products (sku, name, unit_price, cost_price)
         SELECT 'BULK-' || i, 'Bulk product ' || i || ', "boxed"', 100 + i % 900, 60 + i % 500
           FROM generate_series(1, 100000) i`,
      );
      await dataSource.query(
        `INSERT INTO inventory (store_id, product_id, quantity)
         SELECT $1, id, 1 + abs(hashtext(sku)) % 50 FROM products WHERE sku LIKE 'BULK-%'`,
        [storeId],
      );
      await receiveStock(api, storeId, bread, 3);
      const json = (await getReport(api, manager, 'inventory-valuation', { storeId })).json();
      expect(json.totals.products).toBe(100_001);

      await api.app.listen(0, '127.0.0.1');
      const { port } = api.app.getHttpServer().address() as AddressInfo;
      const openCursors = () => openExportCursors(dataSource);
      collectGarbage();
      const baseline = process.memoryUsage().heapUsed;
      let peak = baseline;
      let chunks = 0;
      let pausedWithCursorOpen = 0;
      const result = await new Promise<{ bytes: number; lines: number }>((resolve, reject) => {
        const request = get(
          {
            host: '127.0.0.1',
            port,
            path: `/api/v1/reports/inventory-valuation?storeId=${storeId}&format=csv`,
            headers: { authorization: `Bearer ${manager}` },
          },
          (response) => {
            expect(response.statusCode).toBe(200);
            expect(response.headers['content-length']).toBeUndefined();
            let bytes = 0;
            let lines = 0;
            response.on('data', (chunk: Buffer) => {
              if (bytes === 0) {
                // A slow client: the server must wait for it, reading no further ahead. On a
                // loaded machine the first FETCH may still be running after 300 ms, so wait
                // for the cursor to sit idle in its transaction.
                response.pause();
                setTimeout(() => {
                  void eventually(async () => {
                    const open = await openCursors();
                    if (open !== 1) throw new Error(`${open} cursors idle in transaction`);
                    return open;
                  })
                    .then((open) => (pausedWithCursorOpen = open))
                    .catch(() => undefined)
                    .finally(() => response.resume());
                }, 300);
              }
              bytes += chunk.length;
              for (const byte of chunk) if (byte === 0x0a) lines++;
              // Live memory, not garbage waiting for the collector: measure after a collection.
              if (++chunks % 50 === 0) {
                collectGarbage();
                peak = Math.max(peak, process.memoryUsage().heapUsed);
              }
            });
            response.on('end', () => resolve({ bytes, lines }));
            response.on('error', reject);
          },
        );
        request.on('error', reject);
      });
      expect(pausedWithCursorOpen).toBe(1);
      expect(await openCursors()).toBe(0);
      expect(result.lines).toBe(100_002); // header + every product with stock
      // The file is over 10 MB; as row objects it would take several times that in memory.
      expect(result.bytes).toBeGreaterThan(10_000_000);
      expect((peak - baseline) / 1_048_576).toBeLessThan(48);
    }, 60_000);
  });
});
