/*
 * The report statements. Everything aggregates in PostgreSQL; values are always parameters.
 *
 * Plans: sales of a period come from ix_sales_store_occurred (store_id, occurred_at), one index
 * range per store. Units and payments need the sale's lines and payments, reached per sale
 * through ix_sale_lines_sale / ix_sale_payments_sale: about 4 µs a sale, so 25,000 sales (a
 * month of a busy store) cost ~200 ms however the indexes are shaped (covering indexes were
 * measured: no gain; the probes themselves are the cost). Closed days therefore come
 * pre-aggregated from report_daily_sales (see DailyRollupService) and only the days still open
 * to backdated sales are aggregated live, with exactly the same expressions (`liveDays`).
 */

const PAYMENT_SUMS = ['cash', 'mpesa', 'card']
  .map(
    (method) =>
      `count(*) FILTER (WHERE p.method = '${method}') AS ${method}_payments, ` +
      `sum(p.amount) FILTER (WHERE p.method = '${method}') AS ${method}_amount`,
  )
  .join(',\n                              ');

const PAYMENT_TOTALS = ['cash', 'mpesa', 'card']
  .map(
    (method) =>
      `COALESCE(sum(pay.${method}_payments), 0)::int AS ${method}_payments, ` +
      `COALESCE(sum(pay.${method}_amount), 0)::bigint AS ${method}_amount`,
  )
  .join(',\n         ');

/**
 * SQL for the first instant of local date `day` in `zone` (both SQL expressions). Where clocks
 * go back an hour at midnight (the Azores, Havana) midnight happens twice: PostgreSQL's
 * `::timestamp AT TIME ZONE` takes the later one, JavaScript's periods (zoned-time.ts) and the
 * day a sale is grouped under the earlier; the first hour of that day would belong to no day.
 */
function localDayStart(day: string, zone: string): string {
  const later = `((${day})::timestamp AT TIME ZONE ${zone})`;
  const hourBefore = `(${later} - interval '1 hour')`;
  return `(CASE WHEN (${hourBefore} AT TIME ZONE ${zone})::date = (${day}) THEN ${hourBefore} ELSE ${later} END)`;
}

/** The columns of a per-day row, live or rolled up, in order. */
export const DAY_FIGURES = [
  'sales_count',
  'items',
  'gross',
  'discounts',
  'vat',
  'total',
  'change',
  'cash_payments',
  'cash_amount',
  'mpesa_payments',
  'mpesa_amount',
  'card_payments',
  'card_amount',
];

/**
 * One store's sales in [fromAt, toAt) per local day of `zone`: `day` then DAY_FIGURES. Units and
 * payments are probed per sale only where `details` is true. The arguments are SQL expressions
 * (columns or parameters), never values.
 */
function liveDays(on: {
  store: string;
  fromAt: string;
  toAt: string;
  zone: string;
  details: string;
}) {
  return `
  SELECT to_char((s.occurred_at AT TIME ZONE ${on.zone})::date, 'YYYY-MM-DD') AS day,
         count(*)::int AS sales_count, COALESCE(sum(it.items), 0)::bigint AS items,
         sum(s.subtotal)::bigint AS gross, sum(s.discount_total)::bigint AS discounts,
         sum(s.vat_total)::bigint AS vat, sum(s.total)::bigint AS total,
         sum(s.change)::bigint AS change,
         ${PAYMENT_TOTALS}
    FROM sales s
    LEFT JOIN LATERAL (SELECT sum(l.quantity) AS items FROM sale_lines l
                        WHERE ${on.details} AND l.sale_id = s.id) it ON true
    LEFT JOIN LATERAL (SELECT ${PAYMENT_SUMS}
                         FROM sale_payments p WHERE ${on.details} AND p.sale_id = s.id) pay ON true
   WHERE s.store_id = ${on.store} AND s.occurred_at >= ${on.fromAt} AND s.occurred_at < ${on.toAt}
   GROUP BY 1`;
}

const sumAll = DAY_FIGURES.map(
  (column) =>
    `sum(${column})::${column.endsWith('_count') || column.endsWith('_payments') ? 'int' : 'bigint'} AS ${column}`,
).join(', ');

/**
 * Sales of the current ($2..$5) and previous ($3..$2) periods, as grouping sets: `total`, per
 * `store` and per local `day`. $1 store ids, $4 time zone, $6 whether whole local days allow
 * the rollup, $7 SALE_MAX_BACKDATE_HOURS (rows made under a shorter window are not trusted).
 * Per store and period, days up to its last rolled-up day are read from report_daily_sales and
 * the rest live; units and payments are counted for the current period only.
 */
export const SALES_GROUPS = `
WITH rolled AS (
  SELECT r.store_id, max(r.day) AS last_day
    FROM report_daily_sales r
   WHERE $6 AND r.store_id = ANY($1::uuid[]) AND r.time_zone = $4 AND r.backdate_hours >= $7
   GROUP BY r.store_id),
windows AS (
  SELECT st.store_id, p.current, p.from_at, p.to_at, rl.last_day,
         CASE WHEN rl.last_day IS NULL THEN p.from_at
              ELSE greatest(p.from_at, ${localDayStart('rl.last_day + 1', '$4')}) END AS live_from
    FROM unnest($1::uuid[]) AS st(store_id)
   CROSS JOIN (VALUES (true, $2::timestamptz, $5::timestamptz),
                      (false, $3::timestamptz, $2::timestamptz)) AS p(current, from_at, to_at)
    LEFT JOIN rolled rl ON rl.store_id = st.store_id),
per_day AS (
  SELECT w.current, w.store_id, to_char(r.day, 'YYYY-MM-DD') AS day, ${DAY_FIGURES.map((column) => `r.${column}`).join(', ')}
    FROM windows w
    JOIN report_daily_sales r ON r.store_id = w.store_id AND r.time_zone = $4 AND r.backdate_hours >= $7
   WHERE r.day >= (w.from_at AT TIME ZONE $4)::date AND r.day < (w.to_at AT TIME ZONE $4)::date
     AND r.day <= w.last_day
  UNION ALL
  SELECT w.current, w.store_id, d.*
    FROM windows w
   CROSS JOIN LATERAL (${liveDays({ store: 'w.store_id', fromAt: 'w.live_from', toAt: 'w.to_at', zone: '$4', details: 'w.current' })}) d)
SELECT CASE WHEN GROUPING(store_id) = 0 THEN 'store' WHEN GROUPING(day) = 0 THEN 'day' ELSE 'total' END AS dimension,
       current, store_id, day, ${sumAll}
  FROM per_day
 GROUP BY GROUPING SETS ((current), (current, store_id), (current, day))`;

/** Returns made in the current and previous periods, as grouping sets (also per refund method). */
export const RETURNS_GROUPS = `
SELECT CASE WHEN GROUPING(x.store_id) = 0 THEN 'store' WHEN GROUPING(x.day) = 0 THEN 'day'
            WHEN GROUPING(x.method) = 0 THEN 'method' ELSE 'total' END AS dimension,
       x.current, x.store_id, x.day, x.method,
       count(*)::int AS returns_count, COALESCE(sum(x.items), 0)::bigint AS items,
       sum(x.refund_total)::bigint AS refunds, sum(x.vat_refund)::bigint AS vat_refund
  FROM (SELECT r.created_at >= $2 AS current, r.store_id,
               to_char((r.created_at AT TIME ZONE $4)::date, 'YYYY-MM-DD') AS day, r.refund_method AS method,
               r.refund_total, r.vat_refund,
               (SELECT sum(rl.quantity) FROM sale_return_lines rl WHERE rl.return_id = r.id) AS items
          FROM sale_returns r
         WHERE r.store_id = ANY($1::uuid[]) AND r.created_at >= $3 AND r.created_at < $5) x
 GROUP BY GROUPING SETS ((x.current), (x.current, x.store_id), (x.current, x.day), (x.current, x.method))`;

/** `$4` is `quantity` or `revenue`: the ranking; ties by name for a stable order. */
export const TOP_PRODUCTS = `
WITH sold AS (
  SELECT l.product_id, sum(l.quantity)::bigint AS quantity, sum(l.total)::bigint AS revenue, sum(l.vat)::bigint AS vat
    FROM sale_lines l
   WHERE l.sale_id = ANY(ARRAY(
           SELECT s.id FROM sales s
            WHERE s.store_id = ANY($1::uuid[]) AND s.occurred_at >= $2 AND s.occurred_at < $3))
   GROUP BY l.product_id),
returned AS (
  SELECT rl.product_id, sum(rl.quantity)::bigint AS quantity, sum(rl.refund)::bigint AS refund, sum(rl.vat)::bigint AS vat
    FROM sale_returns r JOIN sale_return_lines rl ON rl.return_id = r.id
   WHERE r.store_id = ANY($1::uuid[]) AND r.created_at >= $2 AND r.created_at < $3
   GROUP BY rl.product_id),
merged AS (
  SELECT COALESCE(a.product_id, b.product_id) AS product_id,
         COALESCE(a.quantity, 0) AS quantity_sold, COALESCE(b.quantity, 0) AS quantity_returned,
         COALESCE(a.revenue, 0) - COALESCE(b.refund, 0) AS revenue,
         COALESCE(a.vat, 0) - COALESCE(b.vat, 0) AS vat
    FROM sold a FULL JOIN returned b ON b.product_id = a.product_id)
SELECT m.product_id, p.sku, p.name, m.quantity_sold::bigint, m.quantity_returned::bigint,
       m.revenue::bigint, m.vat::bigint
  FROM merged m JOIN products p ON p.id = m.product_id
 ORDER BY CASE WHEN $4 = 'quantity' THEN m.quantity_sold - m.quantity_returned ELSE m.revenue END DESC,
          p.name, p.id
 LIMIT $5`;

export const CASHIERS = `
WITH sold AS (
  SELECT s.cashier_id, count(*)::int AS sales_count, sum(s.subtotal) AS gross, sum(s.total) AS total,
         sum(s.vat_total) AS vat, sum(s.commission) AS commission
    FROM sales s
   WHERE s.store_id = ANY($1::uuid[]) AND s.occurred_at >= $2 AND s.occurred_at < $3
   GROUP BY s.cashier_id),
returned AS (
  SELECT s.cashier_id, sum(r.refund_total) AS refunds, sum(r.vat_refund) AS vat_refund,
         sum(r.commission_reversed) AS commission_reversed
    FROM sale_returns r JOIN sales s ON s.id = r.sale_id
   WHERE r.store_id = ANY($1::uuid[]) AND r.created_at >= $2 AND r.created_at < $3
   GROUP BY s.cashier_id)
SELECT COALESCE(a.cashier_id, b.cashier_id) AS cashier_id, u.username::text AS username, u.full_name,
       COALESCE(a.sales_count, 0) AS sales_count, COALESCE(a.gross, 0)::bigint AS gross,
       COALESCE(a.total, 0)::bigint AS total, COALESCE(a.vat, 0)::bigint AS vat,
       COALESCE(a.commission, 0)::bigint AS commission, COALESCE(b.refunds, 0)::bigint AS refunds,
       COALESCE(b.vat_refund, 0)::bigint AS vat_refund,
       COALESCE(b.commission_reversed, 0)::bigint AS commission_reversed
  FROM sold a FULL JOIN returned b ON b.cashier_id = a.cashier_id
  LEFT JOIN users u ON u.id = COALESCE(a.cashier_id, b.cashier_id)
 ORDER BY COALESCE(a.total, 0) - COALESCE(a.vat, 0) - COALESCE(b.refunds, 0) + COALESCE(b.vat_refund, 0) DESC,
          u.username, 1`;

const VALUATION_FROM = `FROM inventory i JOIN products p ON p.id = i.product_id
 WHERE i.store_id = ANY($1::uuid[]) AND i.quantity > 0`;

/**
 * Values are multiplied and summed in numeric: a quantity (up to 10^9) times a price (up to
 * 10^12) passes bigint's range, and PostgreSQL refused the whole report (a 500). They are
 * answered as float8, exact for every value up to 2^53 minor units (KES 90 trillion).
 */
export const VALUATION_ROWS = `
SELECT p.id AS product_id, p.sku, p.name, p.category, sum(i.quantity)::bigint AS quantity,
       p.cost_price, p.unit_price, (sum(i.quantity) * p.cost_price::numeric)::float8 AS cost_value,
       (sum(i.quantity) * p.unit_price::numeric)::float8 AS retail_value
  ${VALUATION_FROM}
 GROUP BY p.id
 ORDER BY p.name, p.id`;

export const VALUATION_TOTALS = `
SELECT i.store_id, count(DISTINCT i.product_id)::int AS products,
       COALESCE(sum(i.quantity), 0)::bigint AS quantity,
       COALESCE(sum(i.quantity * p.cost_price::numeric), 0)::float8 AS cost_value,
       COALESCE(sum(i.quantity * p.unit_price::numeric), 0)::float8 AS retail_value
  ${VALUATION_FROM}
 GROUP BY GROUPING SETS ((), (i.store_id))`;

/** Clocks may be set back this far after validation: a day closes this much later too. */
const CLOSING_MARGIN = `interval '15 minutes'`;

/** Store $2's rows made under another time zone, or a shorter window ($1 hours), are rebuilt. */
export const DELETE_STALE_DAYS = `
DELETE FROM report_daily_sales r USING stores st
 WHERE r.store_id = $2 AND st.id = r.store_id
   AND (r.time_zone <> st.time_zone OR r.backdate_hours < $1)`;

/**
 * Rolls up the next closed days of store $1 (at most $3 of them) under backdating window $2:
 * from the day after its last rolled-up day (or its first sale's day) to the last day that
 * ended more than $2 hours (plus a margin) ago. Every day gets a row, zeros included. Returns
 * the days written. Run after DELETE_STALE_DAYS in one transaction that holds the store row
 * (FOR SHARE), so its zone cannot change between the two: rows of another zone counted as
 * rolled up would start the new zone's days after them, and every earlier day would read as
 * zero in the reports for good. Only rows of the current zone and window count, besides.
 */
export const ROLL_UP_STORE = `
WITH span AS (
  SELECT st.id, st.time_zone,
         COALESCE((SELECT max(r.day) + 1 FROM report_daily_sales r
                    WHERE r.store_id = st.id AND r.time_zone = st.time_zone AND r.backdate_hours >= $2),
                  (SELECT (min(s.occurred_at) AT TIME ZONE st.time_zone)::date
                     FROM sales s WHERE s.store_id = st.id)) AS first_day,
         ((now() - make_interval(hours => $2::int) - ${CLOSING_MARGIN}) AT TIME ZONE st.time_zone)::date - 1 AS last_closed
    FROM stores st WHERE st.id = $1),
days AS (
  SELECT id, time_zone, first_day, least(last_closed, first_day + $3::int - 1) AS last_day
    FROM span WHERE first_day <= last_closed),
figures AS (
  SELECT d.*
    FROM days
   CROSS JOIN LATERAL (${liveDays({
     store: 'days.id',
     fromAt: localDayStart('days.first_day', 'days.time_zone'),
     toAt: localDayStart('days.last_day + 1', 'days.time_zone'),
     zone: 'days.time_zone',
     details: 'true',
   })}) d)
INSERT INTO report_daily_sales (store_id, day, time_zone, backdate_hours, ${DAY_FIGURES.join(', ')})
SELECT days.id, g.day::date, days.time_zone, $2, ${DAY_FIGURES.map((column) => `COALESCE(f.${column}, 0)`).join(', ')}
  FROM days
 CROSS JOIN generate_series(days.first_day, days.last_day, interval '1 day') AS g(day)
  LEFT JOIN figures f ON f.day = to_char(g.day, 'YYYY-MM-DD')
RETURNING day`;
