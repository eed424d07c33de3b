import { Client } from 'pg';
import { eventually, sleep } from '../support/eventually';
import { PrivateRedis } from '../support/redis-server';
import { SmtpSink } from '../support/smtp-sink';
import { recordFigures } from './support/figures';
import { getOver } from './support/http';
import { NodeProcess } from './support/node-process';
import { PrivatePostgres } from './support/private-postgres';
import { LoadAttempt, SalesLoad } from './support/sales-load';
import { checkIntegrity, expectIntact, loginOver, saleOver, seedWorld } from './support/world';

const STOCK = 100_000;
const CONNECT_TIMEOUT_MS = 1000;
/**
 * A rejection must arrive within this. A request fails on its first database call: a closed
 * port refuses at once, and a connection that cannot be had is given up after
 * DATABASE_CONNECT_TIMEOUT_MS; 3× leaves room for the request's work around that one wait on a
 * busy 2-core machine, while a hang (no timeout at all) would take the client's 15 s.
 */
const FAST_MS = 3 * CONNECT_TIMEOUT_MS;

describe('PostgreSQL stopped while sales run', () => {
  let postgres: PrivatePostgres | undefined;
  let redis: PrivateRedis | undefined;
  let smtp: SmtpSink | undefined;
  let api: NodeProcess | undefined;
  let load: SalesLoad | undefined;

  afterAll(async () => {
    await load?.stop();
    await api?.kill();
    await Promise.allSettled([postgres?.destroy(), redis?.stop(), smtp?.stop()]);
  });

  it('answers 503 SERVICE_UNAVAILABLE fast, leaves no partial sale, and recovers without a restart', async () => {
    // One at a time, so that afterAll stops whatever started even if the next one fails.
    postgres = await PrivatePostgres.start();
    redis = await PrivateRedis.start();
    smtp = await SmtpSink.start();
    const world = await seedWorld(postgres.url, { cashiers: 6, products: 6, stock: STOCK });
    api = await NodeProcess.api({
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      SMTP_URL: smtp.url,
      DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      // The outbox relay keeps polling the missing database in the background meanwhile.
      OUTBOX_POLL_MS: '200',
    });
    const baseUrl = api.baseUrl as string;
    const tokens = await Promise.all(
      world.cashierUsernames.map((username) => loginOver(baseUrl, username)),
    );
    const { productIds } = world;
    load = new SalesLoad({
      baseUrl,
      storeId: world.storeId,
      tokens,
      pauseMs: 10,
      // Two lines on overlapping products, so sales contend for stock rows as tills do.
      items: (till) => [
        { productId: productIds[till % productIds.length], quantity: 1 },
        { productId: productIds[(till + 1) % productIds.length], quantity: 2 },
      ],
    });

    load.start();
    await sleep(2500);
    load.phase = 'outage';
    await postgres.stop();
    const downAt = Date.now();
    await sleep(500);
    const [health, ready] = await Promise.all([
      getOver(baseUrl, '/health'),
      getOver(baseUrl, '/ready'),
    ]);
    await sleep(2500);
    load.phase = 'restarting';
    const restartAt = Date.now();
    await postgres.restart();
    const recovered = await eventually(async () => {
      const answer = await getOver(baseUrl, '/ready');
      if (answer.status !== 200) throw new Error(`/ready still ${answer.status}`);
      return Date.now();
    }, 20_000);
    load.phase = 'after';
    await sleep(2500);
    await load.stop();

    const attempts = load.attempts;
    const committed = attempts.filter((attempt) => attempt.status === 201);
    const rejected = attempts.filter((attempt) => attempt.status !== 201);
    const answeredIds = new Set(committed.map((attempt) => attempt.body?.id as string));
    const database = await saleFacts(postgres.url);
    const lost = [...answeredIds].filter((id) => !database.saleIds.has(id)).length;
    // A shutdown that lands between a sale's COMMIT and its answer leaves a sale its till was
    // told may have been recorded (503, outcome unknown). The till sends it again with the same
    // key, as it does after any 503, and must get that very sale, not a second one.
    const unacknowledged = [...database.saleIds].filter((id) => !answeredIds.has(id));
    const retried: { attempt?: LoadAttempt; retry: Awaited<ReturnType<typeof saleOver>> }[] = [];
    for (const saleId of unacknowledged) {
      const attempt = attempts.find(
        (each) => database.saleByKey.get(each.idempotencyKey) === saleId,
      );
      const retry = attempt
        ? await saleOver(
            baseUrl,
            tokens[attempt.till],
            world.storeId,
            attempt.items,
            attempt.idempotencyKey,
          )
        : { status: 0, body: undefined, ms: 0 };
      retried.push({ attempt, retry });
    }
    const retriedSales = retried.flatMap(({ attempt, retry }) =>
      attempt && retry.status === 201 ? [attempt] : [],
    );
    const extra = unacknowledged.length - retriedSales.length;
    const integrity = await checkIntegrity(postgres.url);
    recordFigures({
      scenario: 'postgres-outage (stop, restart, same API)',
      salesAttempted: attempts.length,
      salesCommitted: committed.length,
      salesRejected: rejected.length,
      lost,
      duplicated: extra,
      rejections: JSON.stringify(load.statuses(rejected)),
      slowestRejectionMs: Math.max(0, ...rejected.map((attempt) => attempt.ms)),
      recoveryMs: recovered - restartAt,
    });

    // During the outage the probes say so at once; the process itself stays up.
    expect(health).toMatchObject({
      status: 503,
      body: { error: { database: { status: 'down' } } },
    });
    expect(ready).toMatchObject({ status: 503, body: { error: { database: { status: 'down' } } } });
    expect(Math.max(health.ms, ready.ms)).toBeLessThan(FAST_MS);
    expect(api.running).toBe(true);

    // Every answer is a sale or a fast, well-formed 503: never a 500, a hang or a cut connection.
    expect(Object.keys(load.statuses()).sort()).toEqual(['201', '503 SERVICE_UNAVAILABLE']);
    for (const attempt of rejected) {
      expect(attempt.body).toEqual({
        statusCode: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: expect.any(String),
        details: [],
        requestId: expect.any(String),
      });
      expect(JSON.stringify(attempt.body)).not.toMatch(/ECONNREFUSED|at .+\.js|SELECT|INSERT/);
      expect(attempt.ms).toBeLessThan(FAST_MS);
    }
    const during = attempts.filter((a) => a.startedAt > downAt && a.endedAt < restartAt);
    expect(during.length).toBeGreaterThan(10);
    expect(load.statuses(during)).toEqual({ '503 SERVICE_UNAVAILABLE': during.length });
    const before = attempts.filter((attempt) => attempt.phase === 'before');
    expect(before.filter((attempt) => attempt.status === 201).length).toBeGreaterThan(10);
    // Recovery by itself: once /ready is back, every sale on the same process succeeds.
    const after = attempts.filter((attempt) => attempt.phase === 'after');
    expect(after.length).toBeGreaterThan(10);
    expect(load.statuses(after)).toEqual({ '201': after.length });

    // Exactly the acknowledged sales exist (and those recovered by the till's retry, each told
    // it may have been recorded), each whole, and stock moved by exactly their lines.
    for (const { attempt, retry } of retried) {
      expect(attempt).toMatchObject({
        status: 503,
        body: { message: expect.stringMatching(/may have been recorded/) },
      });
      expect(retry).toMatchObject({
        status: 201,
        body: { id: database.saleByKey.get(attempt?.idempotencyKey ?? '') },
      });
    }
    expect({ lost, extra }).toEqual({ lost: 0, extra: 0 });
    expect(database.saleIds.size).toBe(committed.length + retriedSales.length);
    expect(database.partials).toEqual({
      keysWithoutSale: 0,
      auditsWithoutSale: 0,
      movesWithoutSale: 0,
    });
    expectIntact(integrity);
    expect(database.stock).toEqual(expectedStock(productIds, [...committed, ...retriedSales]));
  });
});

function expectedStock(productIds: string[], sold: LoadAttempt[]): Record<string, number> {
  const stock = Object.fromEntries(productIds.map((id) => [id, STOCK]));
  for (const { items } of sold) for (const item of items) stock[item.productId] -= item.quantity;
  return stock;
}

interface SaleFacts {
  saleIds: Set<string>;
  /** The sale each Idempotency-Key recorded (keys are random, so unique across tills). */
  saleByKey: Map<string, string>;
  stock: Record<string, number>;
  /** Rows a sale writes, left without their sale: what a half-written sale would leave. */
  partials: { keysWithoutSale: number; auditsWithoutSale: number; movesWithoutSale: number };
}

async function saleFacts(url: string): Promise<SaleFacts> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const count = async (sql: string) => Number((await client.query(sql)).rows[0].n);
  try {
    const sales = await client.query<{ id: string }>('SELECT id FROM sales');
    const stock = await client.query<{ product_id: string; quantity: number }>(
      'SELECT product_id, quantity FROM inventory',
    );
    const keys = await client.query<{ key: string; sale_id: string }>(
      'SELECT key, sale_id FROM idempotency_keys WHERE sale_id IS NOT NULL',
    );
    return {
      saleIds: new Set(sales.rows.map((row) => row.id)),
      saleByKey: new Map(keys.rows.map((row) => [row.key, row.sale_id])),
      stock: Object.fromEntries(stock.rows.map((row) => [row.product_id, Number(row.quantity)])),
      partials: {
        keysWithoutSale: await count(
          `SELECT count(*) AS n FROM idempotency_keys k
            WHERE NOT EXISTS (SELECT 1 FROM sales s WHERE s.id = k.sale_id)`,
        ),
        auditsWithoutSale: await count(
          `SELECT count(*) AS n FROM audit_logs a WHERE a.action = 'sale.created'
              AND NOT EXISTS (SELECT 1 FROM sales s WHERE s.id::text = a.entity_id)`,
        ),
        movesWithoutSale: await count(
          `SELECT count(*) AS n FROM stock_movements m WHERE m.reference_type = 'sale'
              AND NOT EXISTS (SELECT 1 FROM sales s WHERE s.id = m.reference_id)`,
        ),
      },
    };
  } finally {
    await client.end();
  }
}
