import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

export interface RawSaleInput {
  storeId: string;
  storeCode: string;
  cashierId: string;
  productIds: string[];
}

/**
 * The work of one sale written by hand in plain SQL, in one transaction: the same rows the API
 * writes (idempotency key, audit entry, guarded stock updates in product-id order, ledger rows,
 * receipt counter, sale, lines, payment), with no ORM, no HTTP and nothing read twice. Its
 * throughput is the limit the API is measured against.
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
    const after: number[] = [];
    for (const productId of productIds) {
      const updated = await client.query<{ quantity: number }>(
        `UPDATE inventory SET quantity = quantity - 1, updated_at = now() WHERE store_id = $1 AND product_id = $2 AND quantity >= 1 RETURNING quantity`,
        [input.storeId, productId],
      );
      if (updated.rowCount !== 1) throw new Error('insufficient stock');
      after.push(updated.rows[0].quantity);
    }
    await client.query(
      `INSERT INTO stock_movements (store_id, product_id, delta, quantity_after, reason, reference_type, reference_id, user_id)
       SELECT $1, p, -1, q, 'sale', 'sale', $4, $5 FROM unnest($2::uuid[], $3::int[]) AS t(p, q)`,
      [input.storeId, productIds, after, saleId, input.cashierId],
    );
    const counter = await client.query<{ last_number: number }>(
      `INSERT INTO receipt_counters (store_id, last_number) VALUES ($1, 1)
       ON CONFLICT (store_id) DO UPDATE SET last_number = receipt_counters.last_number + 1 RETURNING last_number`,
      [input.storeId],
    );
    const seq = counter.rows[0].last_number;
    const lines = products.rows.map((product) => {
      const total = Number(product.unit_price);
      const vat = product.tax_class === 'standard' ? Math.round((total * 16) / 116) : 0;
      return { ...product, total, vat, rate: product.tax_class === 'standard' ? 1600 : 0 };
    });
    const total = lines.reduce((sum, line) => sum + line.total, 0);
    const vatTotal = lines.reduce((sum, line) => sum + line.vat, 0);
    await client.query(
      `INSERT INTO sales (id, store_id, receipt_seq, receipt_number, cashier_id, status, subtotal, discount_total, vat_total, total,
                          paid, change, commission, commission_rate_bp, commission_reversed, vat_breakdown, occurred_at)
       VALUES ($1, $2, $3, $4, $5, 'completed', $6, 0, $7, $6, $6, 0, $8, 250, 0, '[]', now())`,
      [
        saleId,
        input.storeId,
        seq,
        `${input.storeCode}-${String(seq).padStart(6, '0')}`,
        input.cashierId,
        total,
        vatTotal,
        Math.round((total - vatTotal) * 0.025),
      ],
    );
    await client.query(
      `INSERT INTO sale_lines (sale_id, line_no, product_id, sku, name, quantity, unit_price, discount, tax_class, vat_rate_bp, vat, total)
       SELECT $1, n, p, s, nm, 1, u, 0, tc, r, v, t
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::int[], $8::bigint[], $9::bigint[])
              WITH ORDINALITY AS x(p, s, nm, u, tc, r, v, t, n)`,
      [
        saleId,
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
    await client.query(
      `INSERT INTO sale_payments (sale_id, method, amount) VALUES ($1, 'cash', $2)`,
      [saleId, total],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
