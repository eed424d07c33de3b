import * as argon2 from 'argon2';
import { Client } from 'pg';

export interface ReportsFixture {
  storeId: string;
  adminUsername: string;
  adminPassword: string;
  /** First local day of the data (Africa/Nairobi), `YYYY-MM-DD`. */
  firstDay: string;
  days: number;
}

const LINES_PER_SALE = 3;
const PRODUCTS = 2000;
const CASHIERS = 10;

/**
 * Sales of one store straight into the tables with generate_series, in time order as tills
 * would write them: `saleLines` lines (3 per sale) between 08:00 and 21:00 Nairobi time over
 * `days` days ending yesterday, one payment per sale (every fifth split M-Pesa + cash), and a
 * one-line return two days after every hundredth sale. A second store gets a quarter as much,
 * so the report has to pick its store out of a shared table.
 */
export async function seedReportsFixture(
  url: string,
  saleLines: number,
  days: number,
): Promise<ReportsFixture> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const adminPassword = 'bench-admin-password';
  const hash = await argon2.hash(adminPassword, {
    type: argon2.argon2id,
    memoryCost: 19_456,
    timeCost: 2,
    parallelism: 1,
  });
  try {
    await client.query(`SET statement_timeout = 0`);
    const [{ first_day: firstDay }] = (
      await client.query<{ first_day: string }>(
        `SELECT ((now() AT TIME ZONE 'Africa/Nairobi')::date - $1::int)::text AS first_day`,
        [days],
      )
    ).rows;
    const stores = await client.query<{ id: string }>(
      `INSERT INTO stores (code, name) VALUES ('RPT1', 'Report store'), ('RPT2', 'Other store')
       RETURNING id`,
    );
    await client.query(
      `INSERT INTO products (sku, name, unit_price, cost_price, tax_class)
       SELECT 'RPT-' || i, 'Report product ' || i, 500 + (i * 37) % 20000, 300 + (i * 23) % 12000,
              CASE WHEN i % 10 = 0 THEN 'zero' ELSE 'standard' END
         FROM generate_series(1, ${PRODUCTS}) i`,
    );
    await client.query(
      `INSERT INTO users (username, password_hash, full_name, role, commission_rate)
       SELECT 'rpt.cashier' || i, $1, 'Cashier ' || i, 'cashier', 2 FROM generate_series(1, ${CASHIERS}) i`,
      [hash],
    );
    await client.query(
      `INSERT INTO users (username, password_hash, full_name, role) VALUES ('rpt.admin', $1, 'Bench admin', 'admin')`,
      [hash],
    );
    await client.query(`CREATE TEMP TABLE bench_products AS
      SELECT row_number() OVER (ORDER BY sku) AS n, id, sku, name, unit_price, tax_class FROM products`);
    await client.query(`CREATE TEMP TABLE bench_cashiers AS
      SELECT row_number() OVER (ORDER BY username) - 1 AS n, id FROM users WHERE role = 'cashier'`);
    const [main, other] = stores.rows.map((row) => row.id);
    await seedStoreSales(
      client,
      main,
      'RPT1',
      Math.ceil(saleLines / LINES_PER_SALE),
      firstDay,
      days,
    );
    await seedStoreSales(
      client,
      other,
      'RPT2',
      Math.ceil(saleLines / 4 / LINES_PER_SALE),
      firstDay,
      days,
    );
    await client.query('VACUUM (ANALYZE)');
    return { storeId: main, adminUsername: 'rpt.admin', adminPassword, firstDay, days };
  } finally {
    await client.end();
  }
}

async function seedStoreSales(
  client: Client,
  storeId: string,
  code: string,
  sales: number,
  firstDay: string,
  days: number,
): Promise<void> {
  const perDay = Math.ceil(sales / days);
  await client.query(`DROP TABLE IF EXISTS bench_sales, bench_lines`);
  await client.query(
    `CREATE TEMP TABLE bench_sales AS
     SELECT n, gen_random_uuid() AS id,
            ($1::date + ((n - 1) / $2) * interval '1 day' + interval '8 hours'
              + ((n - 1) % $2) * (interval '13 hours' / $2)) AT TIME ZONE 'Africa/Nairobi' AS occurred_at
       FROM generate_series(1, $3::int) n`,
    [firstDay, perDay, sales],
  );
  await client.query(
    `CREATE TEMP TABLE bench_lines AS
     SELECT s.n, k AS line_no, p.id AS product_id, p.sku, p.name, q.quantity, p.unit_price, p.tax_class,
            CASE WHEN p.tax_class = 'standard' THEN 1600 ELSE 0 END AS vat_rate_bp,
            p.unit_price * q.quantity AS total,
            CASE WHEN p.tax_class = 'standard' THEN round(p.unit_price * q.quantity * 16 / 116.0)::bigint ELSE 0 END AS vat
       FROM generate_series(1, $1::int) s(n)
      CROSS JOIN generate_series(1, ${LINES_PER_SALE}) k
       JOIN bench_products p ON p.n = (s.n * 7 + k * 131) % ${PRODUCTS} + 1
      CROSS JOIN LATERAL (SELECT 1 + (s.n + k) % 3 AS quantity) q`,
    [sales],
  );
  await client.query(
    `INSERT INTO sales (id, store_id, receipt_seq, receipt_number, cashier_id, status, subtotal,
                        discount_total, vat_total, total, paid, change, commission, commission_rate_bp,
                        vat_breakdown, occurred_at, created_at)
     SELECT s.id, $1, s.n, $2 || '-' || lpad(s.n::text, 7, '0'), c.id, 'completed', a.total, 0, a.vat,
            a.total, a.total + 50, 50, round((a.total - a.vat) * 0.02)::bigint, 200, '[]', s.occurred_at, s.occurred_at
       FROM bench_sales s
       JOIN (SELECT n, sum(total) AS total, sum(vat) AS vat FROM bench_lines GROUP BY n) a USING (n)
       JOIN bench_cashiers c ON c.n = s.n % ${CASHIERS}
      ORDER BY s.n`,
    [storeId, code],
  );
  await client.query(
    `INSERT INTO sale_lines (sale_id, store_id, line_no, product_id, sku, name, quantity, unit_price,
                             discount, tax_class, vat_rate_bp, vat, total)
     SELECT s.id, $1, l.line_no, l.product_id, l.sku, l.name, l.quantity, l.unit_price, 0, l.tax_class,
            l.vat_rate_bp, l.vat, l.total
       FROM bench_lines l JOIN bench_sales s USING (n) ORDER BY l.n, l.line_no`,
    [storeId],
  );
  await client.query(
    `INSERT INTO sale_payments (sale_id, store_id, method, amount, phone)
     SELECT s.id, $1, p.method, p.amount, NULL
       FROM bench_sales s JOIN sales x ON x.id = s.id
      CROSS JOIN LATERAL (
        SELECT 'cash' AS method, x.paid AS amount WHERE s.n % 5 <> 0
        UNION ALL SELECT 'mpesa', x.total - 1000 WHERE s.n % 5 = 0 AND x.total > 1000
        UNION ALL SELECT 'cash', CASE WHEN x.total > 1000 THEN 1050 ELSE x.paid END WHERE s.n % 5 = 0) p
      ORDER BY s.n`,
    [storeId],
  );
  await client.query(
    `WITH returned AS (
       INSERT INTO sale_returns (id, sale_id, store_id, reason, restock, refund_method, refund_total,
                                 vat_refund, commission_reversed, created_by, created_at)
       SELECT gen_random_uuid(), s.id, $1, 'bench', false, 'cash', l.total, l.vat, 0, c.id,
              s.occurred_at + interval '2 days'
         FROM bench_sales s JOIN bench_lines l ON l.n = s.n AND l.line_no = 1
         JOIN bench_cashiers c ON c.n = 0
        WHERE s.n % 100 = 0 AND s.occurred_at + interval '2 days' < now()
       RETURNING id, sale_id)
     INSERT INTO sale_return_lines (return_id, store_id, sale_line_id, product_id, quantity, refund, vat)
     SELECT r.id, $1, sl.id, sl.product_id, sl.quantity, sl.total, sl.vat
       FROM returned r JOIN sale_lines sl ON sl.sale_id = r.sale_id AND sl.line_no = 1`,
    [storeId],
  );
}
