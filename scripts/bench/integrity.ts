import { Client } from 'pg';

export interface IntegrityReport {
  ledgerMismatches: number;
  negativeStock: number;
  receiptGaps: number;
  salesWithoutLines: number;
  salesWithoutPayments: number;
  salesWithoutOneAudit: number;
  ok: boolean;
}

/** The promises of the design, checked over the whole database after a run. */
export async function checkIntegrity(url: string): Promise<IntegrityReport> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const one = async (sql: string) => Number((await client.query<{ n: number }>(sql)).rows[0].n);
  try {
    const report = {
      ledgerMismatches: await one(
        `SELECT count(*) AS n FROM inventory i LEFT JOIN (SELECT store_id, product_id, sum(delta) AS total FROM stock_movements GROUP BY 1, 2) m
           USING (store_id, product_id) WHERE i.quantity <> COALESCE(m.total, 0)`,
      ),
      negativeStock: await one(`SELECT count(*) AS n FROM inventory WHERE quantity < 0`),
      receiptGaps: await one(
        `SELECT count(*) AS n FROM (SELECT store_id, max(receipt_seq) AS top, count(*) AS made FROM sales GROUP BY store_id) s WHERE top <> made`,
      ),
      salesWithoutLines: await one(
        `SELECT count(*) AS n FROM sales s WHERE NOT EXISTS (SELECT 1 FROM sale_lines l WHERE l.sale_id = s.id)`,
      ),
      salesWithoutPayments: await one(
        `SELECT count(*) AS n FROM sales s WHERE NOT EXISTS (SELECT 1 FROM sale_payments p WHERE p.sale_id = s.id)`,
      ),
      salesWithoutOneAudit: await one(
        // Grouped and joined, not a subquery per sale: audit_logs has no index on entity_id.
        `SELECT count(*) AS n FROM sales s
           LEFT JOIN (SELECT entity_id, count(*) AS entries FROM audit_logs
                       WHERE action = 'sale.created' GROUP BY entity_id) a ON a.entity_id = s.id::text
          WHERE COALESCE(a.entries, 0) <> 1`,
      ),
    };
    return { ...report, ok: Object.values(report).every((value) => value === 0) };
  } finally {
    await client.end();
  }
}
