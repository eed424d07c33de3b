import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { createTestDatabase, TestDatabase } from '../support/database';

describe('migrations', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = new DataSource({
      ...buildDataSourceOptions({ url: database.url }),
      logging: false,
    });
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('leave nothing for the entities to add (no drift)', async () => {
    const sql = await dataSource.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('give every row a store owns its store, also in the reference to its parent', async () => {
    const storeColumns = new Set(['store_id', 'from_store_id']);
    const references: { name: string; columns: string[]; parentColumns: string[] }[] =
      await dataSource.query(
        `SELECT c.conname AS name,
                array(SELECT attname::text FROM unnest(c.conkey) k JOIN pg_attribute a
                        ON a.attrelid = c.conrelid AND a.attnum = k) AS "columns",
                array(SELECT attname::text FROM unnest(c.confkey) k JOIN pg_attribute a
                        ON a.attrelid = c.confrelid AND a.attnum = k) AS "parentColumns"
           FROM pg_constraint c
          WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
            AND EXISTS (SELECT 1 FROM pg_attribute a
                         WHERE a.attrelid = c.confrelid AND a.attname IN ('store_id', 'from_store_id')
                           AND NOT a.attisdropped)`,
      );
    // Sale lines, payments, returns, return lines, transfer items at least.
    expect(references.length).toBeGreaterThanOrEqual(6);
    const withoutStore = references.filter(
      ({ columns, parentColumns }) =>
        !columns.some((column) => storeColumns.has(column)) ||
        !parentColumns.some((column) => storeColumns.has(column)),
    );
    expect(withoutStore.map(({ name }) => name)).toEqual([]);
  });

  /** Reverts the migrations down to and including the named one. */
  async function undoThrough(name: string): Promise<void> {
    for (;;) {
      const [last] = await dataSource.query(
        `SELECT name FROM migrations ORDER BY timestamp DESC, id DESC LIMIT 1`,
      );
      await dataSource.undoLastMigration({ transaction: 'each' });
      if (last.name === name) return;
    }
  }

  it('fill the store of rows written before they carried it, and of rows the version before writes', async () => {
    await undoThrough('StoreIdOnChildRows1796021000000');
    const [{ store, other }] = await dataSource.query(
      `WITH s AS (INSERT INTO stores (code, name) VALUES ('MIG1', 'One'), ('MIG2', 'Two') RETURNING id)
       SELECT min(id::text)::uuid AS store, max(id::text)::uuid AS other FROM s`,
    );
    const [{ id: user }] = await dataSource.query(
      `INSERT INTO users (username, password_hash, full_name, role)
       VALUES ('migrator', 'x', 'Migrator', 'admin') RETURNING id`,
    );
    const [{ id: product }, { id: secondProduct }] = await dataSource.query(
      `INSERT INTO products (sku, name, unit_price) VALUES ('MIG-1', 'Milk', 100), ('MIG-2', 'Tea', 50)
       RETURNING id`,
    );
    await dataSource.query(
      `WITH sale AS (
         INSERT INTO sales (id, store_id, receipt_seq, receipt_number, cashier_id, subtotal,
                            discount_total, vat_total, total, paid, change, commission,
                            commission_rate_bp, vat_breakdown, occurred_at)
         VALUES (gen_random_uuid(), $1, 1, 'MIG1-000001', $2, 100, 0, 14, 100, 100, 0, 0, 0, '[]', now())
         RETURNING id
       ), line AS (
         INSERT INTO sale_lines (sale_id, line_no, product_id, sku, name, quantity, unit_price,
                                 discount, tax_class, vat_rate_bp, vat, total)
         SELECT id, 1, $3, 'MIG-1', 'Milk', 1, 100, 0, 'standard', 1600, 14, 100 FROM sale
         RETURNING id, sale_id
       ), payment AS (
         INSERT INTO sale_payments (sale_id, method, amount) SELECT id, 'cash', 100 FROM sale
       ), returned AS (
         INSERT INTO sale_returns (id, sale_id, store_id, reason, restock, refund_method,
                                   refund_total, vat_refund, commission_reversed, created_by)
         SELECT gen_random_uuid(), id, $1, 'spoilt', false, 'cash', 100, 14, 0, $2 FROM sale
         RETURNING id
       )
       INSERT INTO sale_return_lines (return_id, sale_line_id, product_id, quantity, refund, vat)
       SELECT returned.id, line.id, $3, 1, 100, 14 FROM returned, line`,
      [store, user, product],
    );
    await dataSource.query(
      `WITH transfer AS (
         INSERT INTO transfers (from_store_id, to_store_id, requested_by) VALUES ($1, $2, $3)
         RETURNING id
       )
       INSERT INTO transfer_items (transfer_id, product_id, line_no, quantity)
       SELECT id, $4, 1, 2 FROM transfer`,
      [other, store, user, product],
    );

    await dataSource.runMigrations({ transaction: 'each' });
    const filled = await dataSource.query(
      `SELECT 'sale_lines' AS t, store_id FROM sale_lines
       UNION ALL SELECT 'sale_payments', store_id FROM sale_payments
       UNION ALL SELECT 'sale_return_lines', store_id FROM sale_return_lines
       UNION ALL SELECT 'transfer_items', from_store_id FROM transfer_items
       ORDER BY 1`,
    );
    expect(filled).toEqual([
      { t: 'sale_lines', store_id: store },
      { t: 'sale_payments', store_id: store },
      { t: 'sale_return_lines', store_id: store },
      { t: 'transfer_items', store_id: other },
    ]);
    // The version before (still running on some replicas during a rolling deploy) names no store.
    await dataSource.query(
      `INSERT INTO sale_lines (sale_id, line_no, product_id, sku, name, quantity, unit_price,
                               discount, tax_class, vat_rate_bp, vat, total)
       SELECT id, 2, $1, 'MIG-1', 'Milk', 1, 100, 0, 'standard', 1600, 14, 100 FROM sales`,
      [product],
    );
    await dataSource.query(
      `INSERT INTO sale_payments (sale_id, method, amount) SELECT id, 'card', 1 FROM sales`,
    );
    await dataSource.query(
      `INSERT INTO sale_return_lines (return_id, sale_line_id, product_id, quantity, refund, vat)
       SELECT r.id, l.id, $1, 1, 100, 14 FROM sale_returns r, sale_lines l WHERE l.line_no = 2`,
      [product],
    );
    await dataSource.query(
      `INSERT INTO transfer_items (transfer_id, product_id, line_no, quantity)
       SELECT id, $1, 2, 1 FROM transfers`,
      [secondProduct],
    );
    const written = await dataSource.query(
      `SELECT 'sale_lines' AS t, store_id FROM sale_lines WHERE line_no = 2
       UNION ALL SELECT 'sale_payments', store_id FROM sale_payments WHERE method = 'card'
       UNION ALL SELECT 'sale_return_lines', r.store_id FROM sale_return_lines r
                   JOIN sale_lines l ON l.id = r.sale_line_id WHERE l.line_no = 2
       UNION ALL SELECT 'transfer_items', from_store_id FROM transfer_items WHERE line_no = 2
       ORDER BY 1`,
    );
    expect(written).toEqual([
      { t: 'sale_lines', store_id: store },
      { t: 'sale_payments', store_id: store },
      { t: 'sale_return_lines', store_id: store },
      { t: 'transfer_items', store_id: other },
    ]);
    // A row that names another store than its parent's is refused.
    await expect(
      dataSource.query(
        `INSERT INTO sale_payments (sale_id, store_id, method, amount)
         SELECT id, $1, 'cash', 1 FROM sales`,
        [other],
      ),
    ).rejects.toThrow(/fk_sale_payments_sale/);
  });

  it('revert completely and apply again', async () => {
    const count = dataSource.migrations.length;
    for (let i = 0; i < count; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await dataSource.showMigrations()).toBe(count > 0);
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await dataSource.showMigrations()).toBe(false);
  });
});
