import * as argon2 from 'argon2';
import { Client } from 'pg';

export interface SalesFixture {
  stores: { id: string; code: string; cashierId: string; cashierUsername: string }[];
  productIds: string[];
  cashierPassword: string;
}

/** Stores, products with ample stock (ledger included) and one cashier per store, in a few statements. */
export async function seedSalesFixture(
  url: string,
  storeCount: number,
  productCount: number,
): Promise<SalesFixture> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const cashierPassword = 'bench-cashier-password';
  const hash = await argon2.hash(cashierPassword, {
    type: argon2.argon2id,
    memoryCost: 19_456,
    timeCost: 2,
    parallelism: 1,
  });
  try {
    await client.query('BEGIN');
    const stores = await client.query<{ id: string; code: string }>(
      `INSERT INTO stores (code, name) SELECT 'B' || lpad(i::text, 3, '0'), 'Bench store ' || i FROM generate_series(1, $1) i RETURNING id, code`,
      [storeCount],
    );
    const products = await client.query<{ id: string }>(
      `INSERT INTO products (sku, name, unit_price, cost_price, tax_class, reorder_level)
       SELECT 'BENCH-' || i, 'Bench product ' || i, 1000 + (i % 50) * 100, 700, CASE WHEN i % 10 = 0 THEN 'zero' ELSE 'standard' END, 0
         FROM generate_series(1, $1) i RETURNING id`,
      [productCount],
    );
    await client.query(
      `INSERT INTO inventory (store_id, product_id, quantity) SELECT s.id, p.id, 10000000 FROM stores s CROSS JOIN products p`,
    );
    await client.query(
      `INSERT INTO stock_movements (store_id, product_id, delta, quantity_after, reason)
       SELECT store_id, product_id, quantity, quantity, 'receiving' FROM inventory`,
    );
    const fixtureStores: SalesFixture['stores'] = [];
    for (const store of stores.rows) {
      const username = `bench.${store.code.toLowerCase()}`;
      const user = await client.query<{ id: string }>(
        `INSERT INTO users (username, password_hash, full_name, role, commission_rate) VALUES ($1, $2, $3, 'cashier', 2.5) RETURNING id`,
        [username, hash, `Cashier ${store.code}`],
      );
      await client.query(`INSERT INTO user_stores (user_id, store_id) VALUES ($1, $2)`, [
        user.rows[0].id,
        store.id,
      ]);
      fixtureStores.push({
        id: store.id,
        code: store.code,
        cashierId: user.rows[0].id,
        cashierUsername: username,
      });
    }
    await client.query('COMMIT');
    return {
      stores: fixtureStores,
      productIds: products.rows.map((row) => row.id),
      cashierPassword,
    };
  } finally {
    await client.end();
  }
}

/**
 * Settle the fresh rows (visibility map, hint bits, statistics) so that autovacuum does not run
 * during whichever side of the benchmark goes first.
 */
export async function settleDatabase(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('VACUUM (ANALYZE)');
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}
