import { Client } from 'pg';
import { sleep } from '../support/eventually';
import { PrivateRedis } from '../support/redis-server';
import { SmtpSink } from '../support/smtp-sink';
import { recordFigures } from './support/figures';
import { jwtSecret, NodeProcess, ServiceEnv } from './support/node-process';
import { PrivatePostgres } from './support/private-postgres';
import { LoadAttempt, SalesLoad } from './support/sales-load';
import { checkIntegrity, expectIntact, loginOver, SaleAttempt, seedWorld } from './support/world';

const STOCK = 100_000;
const KILLS = 3;

/** What a till does without a definitive answer: send the same key and body again. */
function undecided(attempt: SaleAttempt): boolean {
  return (
    attempt.status === 0 ||
    attempt.status === 503 ||
    (attempt.status === 409 && attempt.body?.code === 'IDEMPOTENCY_IN_PROGRESS')
  );
}

interface StoredSale {
  key: string;
  saleId: string;
  createdAt: Date;
}

describe('API process killed (SIGKILL) during a stream of idempotent sales', () => {
  let postgres: PrivatePostgres | undefined;
  let redis: PrivateRedis | undefined;
  let smtp: SmtpSink | undefined;
  const apis: NodeProcess[] = [];
  let load: SalesLoad | undefined;

  afterAll(async () => {
    await load?.stop();
    await Promise.allSettled(apis.map((api) => api.kill()));
    await Promise.allSettled([postgres?.destroy(), redis?.stop(), smtp?.stop()]);
  });

  it('every sale the tills retried exists exactly once, and stock moved by exactly those sales', async () => {
    // One at a time, so that afterAll stops whatever started even if the next one fails.
    postgres = await PrivatePostgres.start();
    redis = await PrivateRedis.start();
    smtp = await SmtpSink.start();
    const world = await seedWorld(postgres.url, { cashiers: 10, products: 5, stock: STOCK });
    // One signing key for every API process, so the tills' tokens outlive a crash.
    const env: ServiceEnv = {
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      SMTP_URL: smtp.url,
      JWT_SECRET: jwtSecret(),
    };
    apis.push(await NodeProcess.api(env, 'api-1'));
    const firstUrl = apis[0].baseUrl as string;
    const tokens = await Promise.all(
      world.cashierUsernames.map((username) => loginOver(firstUrl, username)),
    );
    const { productIds } = world;
    let next = 0;
    load = new SalesLoad({
      baseUrl: firstUrl,
      storeId: world.storeId,
      tokens,
      retry: undecided,
      // Overlapping products and varying quantities, so that a sale counted twice or lost
      // would show in the stock.
      items: () => {
        next += 1;
        return [
          { productId: productIds[next % productIds.length], quantity: 1 + (next % 3) },
          { productId: productIds[(next + 2) % productIds.length], quantity: 1 + (next % 2) },
        ];
      },
    });

    const killedAt: number[] = [];
    load.start();
    for (let kill = 1; kill <= KILLS; kill++) {
      await sleep(1000 + Math.random() * 1000);
      killedAt.push(Date.now());
      await apis[apis.length - 1].kill();
      const replacement = await NodeProcess.api(env, `api-${kill + 1}`);
      apis.push(replacement);
      load.baseUrl = replacement.baseUrl as string;
    }
    await sleep(2000);
    await load.stop();

    const attempts = load.attempts;
    const byKey = new Map<string, LoadAttempt[]>();
    for (const attempt of attempts)
      byKey.set(attempt.idempotencyKey, [...(byKey.get(attempt.idempotencyKey) ?? []), attempt]);
    const keys = [...byKey.keys()];
    const stored = await storedSales(postgres.url);
    const storedByKey = new Map(stored.sales.map((sale) => [sale.key, sale]));
    const answered = keys.filter((key) => byKey.get(key)?.some((a) => a.status === 201));
    const lost = answered.filter((key) => !storedByKey.has(key)).length;
    const extra = stored.saleCount - keys.filter((key) => storedByKey.has(key)).length;
    const finalAnswer = (key: string) => byKey.get(key)?.at(-1) as LoadAttempt;
    const cut = attempts.filter(
      (attempt) =>
        attempt.status === 0 &&
        killedAt.some((at) => attempt.startedAt < at && attempt.endedAt >= at),
    );
    // Stored before the till sent its last request: committed by a request the kill cut off,
    // so that last 201 was the replay of it.
    const replayed = answered.filter(
      (key) => (storedByKey.get(key)?.createdAt.getTime() ?? Infinity) < finalAnswer(key).startedAt,
    );
    recordFigures({
      scenario: `api-crash (SIGKILL ×${KILLS}, clients retry the key)`,
      salesAttempted: keys.length,
      salesCommitted: stored.saleCount,
      salesRejected: keys.length - answered.length,
      lost,
      duplicated: extra,
      requests: attempts.length,
      answers: JSON.stringify(load.statuses()),
      requestsCutByKill: cut.length,
      retriedSales: keys.filter((key) => (byKey.get(key)?.length ?? 0) > 1).length,
      replayedAfterCrash: replayed.length,
    });

    // The tills only ever saw sales, cut connections, and "try again" answers; never a 500.
    const allowed = ['201', '0', '503 SERVICE_UNAVAILABLE', '409 IDEMPOTENCY_IN_PROGRESS'];
    expect(Object.keys(load.statuses()).filter((label) => !allowed.includes(label))).toEqual([]);
    // The kills cut requests in flight, and the tills carried those sales over to the new process.
    expect(cut.length).toBeGreaterThan(0);
    expect(keys.length).toBeGreaterThan(50);

    // Every sale got its definitive answer, and all its 201s name the one stored sale.
    expect(keys.filter((key) => finalAnswer(key).status !== 201)).toEqual([]);
    for (const key of keys) {
      const ids = new Set(
        byKey
          .get(key)
          ?.filter((a) => a.status === 201)
          .map((a) => a.body?.id),
      );
      expect([...ids]).toEqual([storedByKey.get(key)?.saleId]);
    }
    expect({ lost, extra }).toEqual({ lost: 0, extra: 0 });
    expect(stored.saleCount).toBe(keys.length);

    expectIntact(await checkIntegrity(postgres.url));
    const expected = Object.fromEntries(productIds.map((id) => [id, STOCK]));
    for (const key of keys)
      for (const item of finalAnswer(key).items) expected[item.productId] -= item.quantity;
    expect(stored.stock).toEqual(expected);
  });
});

async function storedSales(
  url: string,
): Promise<{ sales: StoredSale[]; saleCount: number; stock: Record<string, number> }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const sales = await client.query<StoredSale>(
      `SELECT k.key, s.id AS "saleId", s.created_at AS "createdAt"
         FROM idempotency_keys k JOIN sales s ON s.id = k.sale_id`,
    );
    const [{ count }] = (await client.query<{ count: string }>('SELECT count(*) FROM sales')).rows;
    const stock = await client.query<{ product_id: string; quantity: number }>(
      'SELECT product_id, quantity FROM inventory',
    );
    return {
      sales: sales.rows,
      saleCount: Number(count),
      stock: Object.fromEntries(stock.rows.map((row) => [row.product_id, Number(row.quantity)])),
    };
  } finally {
    await client.end();
  }
}
