import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { SqlStatement } from '../../src/common/database/sql-statement';
import { sendBatch } from '../../src/common/database/statement-batch';

export interface RawSaleInput {
  storeId: string;
  storeCode: string;
  cashierId: string;
  productIds: string[];
}

/**
 * How the raw side talks to PostgreSQL: one statement per round trip with `client.query`
 * (plain pg, the limit the issue defines), or in the API's two batches (the limit for the
 * API's own protocol).
 */
export type RawMode = 'sequential' | 'batched';

type Row = Record<string, unknown>;
const rows = (result: Row[]) => result;
const statement = (text: string, values: unknown[]): SqlStatement<Row[]> => ({
  text,
  values,
  read: rows,
});

async function send(client: PoolClient, mode: RawMode, statements: SqlStatement<Row[]>[]) {
  if (mode === 'batched') return sendBatch(client, statements);
  const results: Row[][] = [];
  for (const { text, values } of statements)
    results.push((await client.query(text, [...values])).rows as Row[]);
  return results;
}

/**
 * The work of one sale written by hand in plain SQL, in one transaction, with the statements the
 * API sends: idempotency claim, products, stock rows locked in product-id order; then receipt
 * counter with sale, lines and payment, the audit entry, and one statement for the stock updates
 * and their ledger rows. No ORM, no HTTP, no session or store check: its throughput is the limit
 * the API is measured against.
 */
export async function rawSale(pool: Pool, input: RawSaleInput, mode: RawMode): Promise<void> {
  const client = await pool.connect();
  const saleId = randomUUID();
  const productIds = [...input.productIds].sort();
  try {
    if (mode === 'sequential') await client.query('BEGIN');
    const [claimed, products, locked] = await send(client, mode, [
      ...(mode === 'batched' ? [statement('BEGIN', [])] : []),
      statement(
        `INSERT INTO idempotency_keys (user_id, key, request_hash, sale_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, key) DO NOTHING RETURNING user_id`,
        [input.cashierId, randomUUID(), '0'.repeat(64), saleId],
      ),
      statement(
        `SELECT id, sku, barcode, name, category, unit_price, cost_price, tax_class, reorder_level,
                active, created_at, updated_at
           FROM products WHERE id = ANY($1::uuid[]) ORDER BY id`,
        [productIds],
      ),
      statement(
        `SELECT product_id, quantity, reorder_level FROM inventory
          WHERE store_id = $1 AND product_id = ANY($2::uuid[])
          ORDER BY product_id
            FOR UPDATE`,
        [input.storeId, productIds],
      ),
    ]).then((results) => results.slice(mode === 'batched' ? 1 : 0));
    if (claimed.length !== 1) throw new Error('idempotency key not claimed');
    if (locked.some((row) => (row.quantity as number) < 1) || locked.length !== productIds.length)
      throw new Error('insufficient stock');
    const lines = products.map((product) => {
      const total = Number(product.unit_price);
      const standard = product.tax_class === 'standard';
      const vat = standard ? Math.round((total * 16) / 116) : 0;
      return {
        id: product.id,
        sku: product.sku,
        name: product.name,
        unitPrice: total,
        taxClass: product.tax_class,
        total,
        vat,
        rate: standard ? 1600 : 0,
      };
    });
    const total = lines.reduce((sum, line) => sum + line.total, 0);
    const vatTotal = lines.reduce((sum, line) => sum + line.vat, 0);
    const writes = [
      statement(
        `WITH counter AS (
           INSERT INTO receipt_counters (store_id, last_number) VALUES ($2, 1)
           ON CONFLICT (store_id) DO UPDATE SET last_number = receipt_counters.last_number + 1
           RETURNING last_number
         ), sale AS (
           INSERT INTO sales (id, store_id, receipt_seq, receipt_number, cashier_id, status, subtotal,
                              discount_total, vat_total, total, paid, change, commission,
                              commission_rate_bp, commission_reversed, vat_breakdown, occurred_at)
           SELECT $1, $2, last_number,
                  $3 || '-' || lpad(last_number::text, greatest(6, length(last_number::text)), '0'),
                  $4, 'completed', $5, 0, $6, $5, $5, 0, $7, 250, 0, '[]', now()
             FROM counter
           RETURNING receipt_seq, receipt_number, created_at
         ), line AS (
           INSERT INTO sale_lines (id, sale_id, store_id, line_no, product_id, sku, name, quantity,
                                   unit_price, discount, tax_class, vat_rate_bp, vat, total, returned_quantity)
           SELECT id, $1, $2, line_no, product_id, sku, name, 1, unit_price, 0, tax_class, vat_rate_bp, vat, total, 0
             FROM unnest($8::uuid[], $9::smallint[], $10::uuid[], $11::text[], $12::text[], $13::bigint[],
                         $14::text[], $15::int[], $16::bigint[], $17::bigint[])
                  AS line(id, line_no, product_id, sku, name, unit_price, tax_class, vat_rate_bp, vat, total)
         ), payment AS (
           INSERT INTO sale_payments (sale_id, store_id, position, method, amount)
           VALUES ($1, $2, 1, 'cash', $5)
         )
         SELECT receipt_seq, receipt_number, created_at FROM sale`,
        [
          saleId,
          input.storeId,
          input.storeCode,
          input.cashierId,
          total,
          vatTotal,
          Math.round((total - vatTotal) * 0.025),
          lines.map(() => randomUUID()),
          lines.map((_, index) => index + 1),
          lines.map((line) => line.id),
          lines.map((line) => line.sku),
          lines.map((line) => line.name),
          lines.map((line) => line.unitPrice),
          lines.map((line) => line.taxClass),
          lines.map((line) => line.rate),
          lines.map((line) => line.vat),
          lines.map((line) => line.total),
        ],
      ),
      statement(
        `INSERT INTO audit_logs (action, user_id, entity_type, entity_id, store_id, details)
         VALUES ('sale.created', $1, 'sale', $2, $3, $4)`,
        [input.cashierId, saleId, input.storeId, JSON.stringify({ total, lines: lines.length })],
      ),
      statement(
        `WITH line AS (
           SELECT * FROM unnest($2::uuid[], $3::int[], $4::uuid[]) WITH ORDINALITY
                    AS line(product_id, delta, movement_id, position)
         ), moved AS (
           UPDATE inventory SET quantity = inventory.quantity + line.delta, updated_at = now()
             FROM line
            WHERE inventory.store_id = $1 AND inventory.product_id = line.product_id
           RETURNING inventory.product_id, inventory.quantity, line.delta, line.movement_id, line.position
         )
         INSERT INTO stock_movements (id, store_id, product_id, delta, quantity_after, reason,
                                      reference_type, reference_id, user_id)
         SELECT movement_id, $1, product_id, delta, quantity, 'sale', 'sale', $5, $6 FROM moved ORDER BY position
         RETURNING id`,
        [
          input.storeId,
          productIds,
          productIds.map(() => -1),
          productIds.map(() => randomUUID()),
          saleId,
          input.cashierId,
        ],
      ),
      statement('COMMIT', []),
    ];
    await send(client, mode, writes);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
