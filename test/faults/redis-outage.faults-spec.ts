import { Client } from 'pg';
import { eventually, sleep } from '../support/eventually';
import { PrivateRedis } from '../support/redis-server';
import { SmtpSink } from '../support/smtp-sink';
import { recordFigures } from './support/figures';
import { Answer, getOver, loginAttemptOver } from './support/http';
import { NodeProcess, ServiceEnv } from './support/node-process';
import { PrivatePostgres } from './support/private-postgres';
import { SalesLoad } from './support/sales-load';
import { checkIntegrity, expectIntact, loginOver, seedWorld } from './support/world';
import { TEST_PASSWORD } from '../support/auth';

const PHASES = ['before', 'outage', 'after'] as const;
const PRODUCTS_PER_PHASE = 6;
const REORDER_LEVEL = 1000;
/** Three sales of one unit take a product to its reorder level: one alert per product. */
const STOCK = REORDER_LEVEL + 3;

interface OutboxRow {
  id: string;
  productId: string;
  sku: string;
  createdAt: Date;
  delivered: boolean;
}

describe('Redis stopped while sales run', () => {
  let postgres: PrivatePostgres | undefined;
  let redis: PrivateRedis | undefined;
  let smtp: SmtpSink | undefined;
  let api: NodeProcess | undefined;
  let worker: NodeProcess | undefined;
  let load: SalesLoad | undefined;

  afterAll(async () => {
    await load?.stop();
    await Promise.allSettled([api?.kill(), worker?.kill()]);
    await Promise.allSettled([postgres?.destroy(), redis?.stop(), smtp?.stop()]);
  });

  it('sales go on, login falls back to per-process limits, and every alert is sent once when Redis is back', async () => {
    // One at a time, so that afterAll stops whatever started even if the next one fails.
    postgres = await PrivatePostgres.start();
    redis = await PrivateRedis.start();
    smtp = await SmtpSink.start();
    const world = await seedWorld(postgres.url, {
      cashiers: 6,
      products: PRODUCTS_PER_PHASE * PHASES.length,
      stock: STOCK,
      reorderLevel: REORDER_LEVEL,
    });
    const env: ServiceEnv = {
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      SMTP_URL: smtp.url,
      OUTBOX_POLL_MS: '200',
      OUTBOX_BACKOFF_MS: '500',
      // A job relayed just before Redis died is gone with it; the relay puts such rows on the
      // queue again after this (default 5 minutes, too long for a test).
      OUTBOX_RERELAY_MS: '3000',
    };
    await Promise.all([
      NodeProcess.api(env).then((started) => (api = started)),
      NodeProcess.worker(env).then((started) => (worker = started)),
    ]);
    const baseUrl = api?.baseUrl as string;
    const tokens = await Promise.all(
      world.cashierUsernames.map((username) => loginOver(baseUrl, username)),
    );
    // Each phase sells its own products round-robin, so each of them crosses its reorder level
    // within that phase: the outage's alerts are created while Redis is down.
    const productsOf = (phase: string) => {
      const index = PHASES.indexOf(phase as (typeof PHASES)[number]);
      return world.productIds.slice(index * PRODUCTS_PER_PHASE, (index + 1) * PRODUCTS_PER_PHASE);
    };
    const sold: Record<string, number> = {};
    load = new SalesLoad({
      baseUrl,
      storeId: world.storeId,
      tokens,
      pauseMs: 20,
      items: (_till, phase) => {
        sold[phase] = (sold[phase] ?? 0) + 1;
        return [{ productId: productsOf(phase)[sold[phase] % PRODUCTS_PER_PHASE], quantity: 1 }];
      },
    });

    load.start();
    await eventually(
      () => expect(smtp?.messages.length).toBeGreaterThanOrEqual(PRODUCTS_PER_PHASE),
      20_000,
    );
    // The phases (and their products) change only once Redis is down, and again once it is up.
    await redis.stop();
    const downAt = Date.now();
    load.phase = 'outage';
    await sleep(1000);
    const [health, ready] = await Promise.all([
      getOver(baseUrl, '/health'),
      getOver(baseUrl, '/ready'),
    ]);
    const login = await loginDuringOutage(baseUrl, world.managerUsername);
    await sleep(Math.max(0, downAt + 5000 - Date.now()));
    const sentBeforeRedisReturned = new Set(smtp.messages.map((message) => message.messageId));
    const upAt = Date.now();
    await redis.restart();
    load.phase = 'after';
    await sleep(2500);
    await load.stop();

    const outbox = await eventually(async () => {
      const rows = await outboxRows(postgres?.url as string);
      expect(rows.filter((row) => !row.delivered)).toEqual([]);
      return rows;
    }, 30_000);
    const drainedMs = Date.now() - upAt;
    const healthAfter = await eventually(async () => {
      const answer = await getOver(baseUrl, '/health');
      expect(answer.status).toBe(200);
      return answer;
    }, 10_000);
    await sleep(1500); // a duplicate sent late (a re-relayed job) would arrive by now
    const crossed = await crossedProducts(postgres.url, world.productIds);
    const messageIds = smtp.messages.map((message) => message.messageId);
    const sentOnce = outbox.filter(
      (row) => messageIds.filter((messageId) => messageId === messageIdOf(row)).length === 1,
    );
    const attempts = load.attempts;
    const committed = attempts.filter((attempt) => attempt.status === 201).length;
    const outageAlerts = outbox.filter(
      (row) => row.createdAt.getTime() > downAt && row.createdAt.getTime() < upAt,
    );
    recordFigures({
      scenario: 'redis-outage (SIGKILL, restart same port)',
      salesAttempted: attempts.length,
      salesCommitted: committed,
      salesRejected: attempts.length - committed,
      alertsExpected: crossed.length,
      alertsSent: new Set(messageIds).size,
      lost: crossed.length - sentOnce.length,
      duplicated: messageIds.length - new Set(messageIds).size,
      salesDuringOutage: attempts.filter((attempt) => attempt.phase === 'outage').length,
      alertsCreatedDuringOutage: outageAlerts.length,
      alertsDrainedMsAfterRedisReturned: drainedMs,
    });

    // Sales never needed Redis: every one succeeded, during the outage too.
    expect(load.statuses()).toEqual({ '201': attempts.length });
    expect(attempts.filter((attempt) => attempt.phase === 'outage').length).toBeGreaterThan(20);

    // /health names Redis (and the queue on it) down; /ready ignores Redis (README, API.md).
    expect(health).toMatchObject({
      status: 503,
      body: {
        status: 'error',
        error: { redis: { status: 'down', configured: true }, queue: { status: 'down' } },
        details: { database: { status: 'up' } },
      },
    });
    expect(ready).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(healthAfter.body).toMatchObject({ details: { redis: { status: 'up' } } });

    // Login fails open to this process' memory: a till signs in, and failures still lock out.
    expect(login.success.status).toBe(200);
    expect(login.failures.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
    expect(login.lockedOut.status).toBe(429);
    expect(login.lockedOut.body).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(Number(login.lockedOut.headers?.get('retry-after'))).toBeGreaterThan(0);

    // One outbox row per crossing, the outage's among them; each sent exactly once, and the
    // outage's only after Redis returned.
    expect(crossed).toHaveLength(world.productIds.length);
    expect(outbox.map((row) => row.productId).sort()).toEqual([...crossed].sort());
    expect(outageAlerts.map((row) => row.productId).sort()).toEqual(
      [...productsOf('outage')].sort(),
    );
    expect(outageAlerts.filter((row) => sentBeforeRedisReturned.has(messageIdOf(row)))).toEqual([]);
    expect(smtp.messages).toHaveLength(outbox.length);
    expect(sentOnce).toHaveLength(outbox.length);
    for (const row of outbox) {
      const [message] = smtp.withMessageId(messageIdOf(row));
      expect(message.recipients).toEqual([world.managerEmail]);
      expect(message.subject).toMatch(new RegExp(`^Low stock at .*\\(SKU ${row.sku}\\)$`));
    }

    expectIntact(await checkIntegrity(postgres.url));
  });
});

/** The Message-ID of the email of an outbox row (OutboxDelivery: the outbox id). */
function messageIdOf(row: OutboxRow): string {
  return `<${row.id}@pos.local>`;
}

/** A good login, five bad ones, then the good one again: locked out (429). */
async function loginDuringOutage(
  baseUrl: string,
  username: string,
): Promise<{ success: Answer; failures: Answer[]; lockedOut: Answer }> {
  const success = await loginAttemptOver(baseUrl, username, TEST_PASSWORD);
  const failures: Answer[] = [];
  for (let i = 0; i < 5; i++)
    failures.push(await loginAttemptOver(baseUrl, username, 'not-the-password'));
  const lockedOut = await loginAttemptOver(baseUrl, username, TEST_PASSWORD);
  return { success, failures, lockedOut };
}

async function outboxRows(url: string): Promise<OutboxRow[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<OutboxRow>(
      `SELECT o.id, p.id AS "productId", p.sku, o.created_at AS "createdAt",
              o.delivered_at IS NOT NULL AS delivered
         FROM outbox o JOIN products p ON p.id = (o.payload->>'productId')::uuid
        WHERE o.type = 'low_stock'`,
    );
    return result.rows;
  } finally {
    await client.end();
  }
}

/** Products whose stock is at or below the reorder level (stock only fell: one crossing each). */
async function crossedProducts(url: string, productIds: string[]): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ product_id: string }>(
      `SELECT product_id FROM inventory WHERE product_id = ANY($1::uuid[]) AND quantity <= $2`,
      [productIds, REORDER_LEVEL],
    );
    return result.rows.map((row) => row.product_id);
  } finally {
    await client.end();
  }
}
