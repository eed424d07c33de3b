import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { TestApp } from './app';

/** Inserts a product directly: `{ unitPrice: 11600, reorderLevel: 5 }` etc. */
export async function seedProduct(
  api: TestApp,
  overrides: {
    name?: string;
    unitPrice?: number;
    costPrice?: number;
    reorderLevel?: number;
    taxClass?: string;
    active?: boolean;
  } = {},
): Promise<string> {
  const sku = `SKU-${randomBytes(4).toString('hex').toUpperCase()}`;
  const [row] = await api.app.get(DataSource).query(
    `INSERT INTO products (sku, name, unit_price, cost_price, tax_class, reorder_level, active)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      sku,
      overrides.name ?? `Product ${sku}`,
      overrides.unitPrice ?? 11600,
      overrides.costPrice ?? 8000,
      overrides.taxClass ?? 'standard',
      overrides.reorderLevel ?? 0,
      overrides.active ?? true,
    ],
  );
  return row.id;
}

/** Quantity and ledger sum of one product at one store: they must always be equal. */
export async function stockOf(api: TestApp, storeId: string, productId: string) {
  const [row] = await api.app.get(DataSource).query(
    `SELECT COALESCE((SELECT quantity FROM inventory WHERE store_id = $1 AND product_id = $2), 0) AS quantity,
            COALESCE((SELECT sum(delta) FROM stock_movements WHERE store_id = $1 AND product_id = $2), 0)::int AS ledger,
            (SELECT count(*) FROM stock_movements WHERE store_id = $1 AND product_id = $2)::int AS movements`,
    [storeId, productId],
  );
  return row as { quantity: number; ledger: number; movements: number };
}

/** Puts stock at a store the way receiving does: inventory row and ledger row together. */
export async function receiveStock(
  api: TestApp,
  storeId: string,
  productId: string,
  quantity: number,
): Promise<void> {
  await api.app.get(DataSource).query(
    `WITH moved AS (
       INSERT INTO inventory (store_id, product_id, quantity) VALUES ($1, $2, $3)
       ON CONFLICT (store_id, product_id) DO UPDATE SET quantity = inventory.quantity + EXCLUDED.quantity
       RETURNING quantity)
     INSERT INTO stock_movements (store_id, product_id, delta, quantity_after, reason)
     SELECT $1, $2, $3, quantity, 'receiving' FROM moved`,
    [storeId, productId, quantity],
  );
}
