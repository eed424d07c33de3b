import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startTestApp, TestApp } from '../support/app';
import { bearer, seedStore, signedIn } from '../support/auth';
import { receiveStock, seedProduct } from '../support/catalog';
import { createTestDatabase, TestDatabase } from '../support/database';
import { getReport, parseCsv } from '../support/reports';
import { postSale } from '../support/sales';

/**
 * DATABASE_REPLICA_URLS points at a second database standing in for a read replica. Rows put
 * only there show which connection each query used: reports read the replica, everything
 * else (writes, lists, access checks) the primary.
 */
describe('reports on a read replica', () => {
  let api: TestApp;
  let replica: TestDatabase;
  let onReplica: Client;
  let admin: string;
  let storeId: string;

  beforeAll(async () => {
    replica = await createTestDatabase();
    api = await startTestApp({
      env: { DATABASE_REPLICA_URLS: replica.url, REPORT_CACHE_SECONDS: '0' },
    });
    admin = (await signedIn(api, 'admin')).token;
    storeId = await seedStore(api, { code: 'REPL1' });
    onReplica = new Client({ connectionString: replica.url });
    await onReplica.connect();
    await onReplica.query(`INSERT INTO stores (id, code, name) VALUES ($1, 'REPL1', 'Replica')`, [
      storeId,
    ]);
  });
  afterAll(async () => {
    await onReplica.end();
    await api.close();
    delete process.env.DATABASE_REPLICA_URLS;
    await replica.drop();
  });

  it('reads report figures from the replica while sales go to the primary', async () => {
    await onReplica.query(
      `INSERT INTO sales (id, store_id, receipt_seq, receipt_number, cashier_id, subtotal,
                          discount_total, vat_total, total, paid, change, commission,
                          commission_rate_bp, vat_breakdown, occurred_at)
       VALUES ($1, $2, 1, 'REPL1-000001', $3, 7000, 0, 0, 7000, 7000, 0, 0, 0, '[]', $4)`,
      [randomUUID(), storeId, randomUUID(), new Date(Date.now() - 60_000)],
    );
    const bread = await seedProduct(api, { unitPrice: 5000, taxClass: 'zero' });
    await receiveStock(api, storeId, bread, 1);
    const sold = await postSale(api, admin, {
      storeId,
      items: [{ productId: bread, quantity: 1 }],
    });
    expect(sold.statusCode).toBe(201);

    // Around the sale, not 'today': at 00:00–00:01 in Nairobi it would fall on yesterday.
    const around = {
      period: 'custom',
      from: new Date(Date.now() - 10 * 60_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    };
    const summary = (await getReport(api, admin, 'sales-summary', { storeId, ...around })).json();
    expect(summary.totals).toMatchObject({ salesCount: 1, grossSales: 7000 });
    const sales = await api.request({
      method: 'GET',
      url: `/api/v1/sales?storeId=${storeId}`,
      headers: bearer(admin),
    });
    expect(sales.json()).toMatchObject({ total: 1, data: [{ id: sold.json().id, total: 5000 }] });
  });

  it('streams a CSV export from the replica', async () => {
    const [product] = (
      await onReplica.query(
        `INSERT INTO products (sku, name, unit_price, cost_price) VALUES ('REPL-1', 'Only on the replica', 300, 200) RETURNING id`,
      )
    ).rows;
    await onReplica.query(
      `INSERT INTO inventory (store_id, product_id, quantity) VALUES ($1, $2, 7)`,
      [storeId, product.id],
    );
    const response = await getReport(api, admin, 'inventory-valuation', {
      storeId,
      format: 'csv',
    });
    expect(response.statusCode).toBe(200);
    expect(parseCsv(response.body).slice(1)).toEqual([
      [product.id, 'REPL-1', 'Only on the replica', '', '7', '200', '300', '1400', '2100'],
    ]);
  });
});
