import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

export interface RawSaleInput {
  storeId: string;
  storeCode: string;
  cashierId: string;
  productIds: string[];
}

/**
 * The work of one sale written by hand in plain SQL, in one transaction, with the same
 * statements the API sends: idempotency key, products, audit entry, stock rows locked in
 * product-id order, one statement for the stock updates and their ledger rows, one for receipt
 * counter, sale, lines and payment. No ORM, no HTTP, no session or store check: its throughput
 * is the limit the API is measured against.
 */
export async function rawSale(pool: Pool, input: RawSaleInput): Promise<void> {
  const client = await pool.connect();
  const saleId = randomUUID();
  const productIds = [...input.productIds].sort();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash, sale_id) VALUES ($1, $2, $3, $4)`,
      [input.cashierId, randomUUID(), '0'.repeat(64), saleId],
    );
    const products = await client.query<{
      id: string;
      sku: string;
      name: string;
      unit_price: number;
      tax_class: string;
    }>(
      `SELECT id, sku, name, unit_price, tax_class FROM products WHERE id = ANY($1) AND active ORDER BY id`,
      [productIds],
    );
    await client.query(
      `INSERT INTO audit_logs (action, user_id, entity_type, entity_id, store_id, details) VALUES ('sale.created', $1, 'sale', $2, $3, '{}')`,
      [input.cashierId, saleId, input.storeId],
    );
    const locked = await client.query<{ product_id: string; quantity: number }>(
      `SELECT product_id, quantity FROM inventory WHERE store_id = $1 AND product_id = ANY($2::uuid[])
        ORDER BY product_id FOR UPDATE`,
      [input.storeId, productIds],
    );
    if (locked.rows.some((row) => row.quantity < 1) || locked.rowCount !== productIds.length)
      throw new Error('insufficient stock');
    await client.query(
      `WITH moved AS (
         UPDATE inventory SET quantity = inventory.quantity - 1, updated_at = now()
          WHERE store_id = $1 AND product_id = ANY($2::uuid[])
         RETURNING product_id, quantity)
       INSERT INTO stock_movements (store_id, product_id, delta, quantity_after, reason, reference_type, reference_id, user_id)
       SELECT $1, product_id, -1, quantity, 'sale', 'sale', $3, $4 FROM moved`,
      [input.storeId, productIds, saleId, input.cashierId],
    );
    const lines = products.rows.map((product) => {
      const total = Number(product.unit_price);
      const vat = product.tax_class === 'standard' ? Math.round((total * 16) / 116) : 0;
      return { ...product, total, vat, rate: product.tax_class === 'standard' ? 1600 : 0 };
    });
    const total = lines.reduce((sum, line) => sum + line.total, 0);
    const vatTotal = lines.reduce((sum, line) => sum + line.vat, 0);
    await client.query(
      `WITH counter AS (
         INSERT INTO receipt_counters (store_id, last_number) VALUES ($2, 1)
         ON CONFLICT (store_id) DO UPDATE SET last_number = receipt_counters.last_number + 1 RETURNING last_number
       ), sale AS (
         INSERT INTO sales (id, store_id, receipt_seq, receipt_number, cashier_id, status, subtotal, discount_total, vat_total, total,
                            paid, change, commission, commission_rate_bp, commission_reversed, vat_breakdown, occurred_at)
         SELECT $1, $2, last_number, $3 || '-' || lpad(last_number::text, 6, '0'), $4, 'completed', $5, 0, $6, $5, $5, 0, $7, 250, 0, '[]', now()
           FROM counter
       ), line AS (
         INSERT INTO sale_lines (sale_id, line_no, product_id, sku, name, quantity, unit_price, discount, tax_class, vat_rate_bp, vat, total)
         SELECT $1, n, p, s, nm, 1, u, 0, tc, r, v, t
           FROM unnest($8::uuid[], $9::text[], $10::text[], $11::bigint[], $12::text[], $13::int[], $14::bigint[], $15::bigint[])
                WITH ORDINALITY AS x(p, s, nm, u, tc, r, v, t, n)
       )
       INSERT INTO sale_payments (sale_id, method, amount) VALUES ($1, 'cash', $5)`,
      [
        saleId,
        input.storeId,
        input.storeCode,
        input.cashierId,
        total,
        vatTotal,
        Math.round((total - vatTotal) * 0.025),
        lines.map((line) => line.id),
        lines.map((line) => line.sku),
        lines.map((line) => line.name),
        lines.map((line) => line.unit_price),
        lines.map((line) => line.tax_class),
        lines.map((line) => line.rate),
        lines.map((line) => line.vat),
        lines.map((line) => line.total),
      ],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
