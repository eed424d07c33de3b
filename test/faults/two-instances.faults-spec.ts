import { Client } from 'pg';
import { TEST_PASSWORD } from '../support/auth';
import { eventually, sleep } from '../support/eventually';
import { PrivateRedis } from '../support/redis-server';
import { SmtpSink } from '../support/smtp-sink';
import { recordFigures } from './support/figures';
import { jwtSecret, NodeProcess, ServiceEnv } from './support/node-process';
import { PrivatePostgres } from './support/private-postgres';
import { startTogether } from './support/start-together';
import {
  checkIntegrity,
  loginOver,
  SaleAttempt,
  saleOver,
  seedWorld,
  StoreWorld,
  expectIntact,
} from './support/world';

/**
 * Two API processes and two worker processes on one PostgreSQL, one Redis and one SMTP server,
 * the way production scales out: the database decides stock, Redis counts login failures for
 * every instance, and the relays of all four processes plus both workers share the outbox.
 */

const LOGIN_MAX_FAILURES = 5;
const SETTINGS = {
  LOGIN_MAX_FAILURES: String(LOGIN_MAX_FAILURES),
  // Four relays polling often, and re-relaying after the 1 s minimum, race over every row.
  OUTBOX_POLL_MS: '100',
  OUTBOX_RERELAY_MS: '1000',
  OUTBOX_BACKOFF_MS: '500',
};

/** The oversell race: this many single-unit sales of one product with this much stock. */
const CONTENDED_STOCK = 30;
const CONTENDED_SALES = 120;
const SELLING_CASHIERS = 4;
/** The alerts round: each sale takes one unit of every product, 10 → 2 against level 5. */
const ALERT_PRODUCTS = 6;
const ALERT_SALES = 8;

interface LoginAnswer {
  status: number;
  code?: string;
  retryAfter: number;
}

async function attemptLogin(
  baseUrl: string,
  username: string,
  password: string,
): Promise<LoginAnswer> {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json()) as { code?: string };
  return {
    status: response.status,
    code: body.code,
    retryAfter: Number(response.headers.get('retry-after') ?? 0),
  };
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

function count<T>(items: T[], predicate: (item: T, index: number) => boolean): number {
  return items.filter(predicate).length;
}

describe('two API instances and two workers on one PostgreSQL and Redis', () => {
  let postgres: PrivatePostgres | undefined;
  let redis: PrivateRedis | undefined;
  let sink: SmtpSink | undefined;
  let db: Client | undefined;
  const processes: NodeProcess[] = [];
  /** Base URLs of the two API processes. */
  let apis: string[];
  let workers: NodeProcess[];
  /** One product, CONTENDED_STOCK units, reorder level 0; the last cashier is for the lockout. */
  let contended: StoreWorld;
  /** ALERT_PRODUCTS products, 10 units each, reorder level 5. */
  let alerting: StoreWorld;

  beforeAll(async () => {
    [postgres, redis, sink] = await Promise.all([
      PrivatePostgres.start(),
      PrivateRedis.start(),
      SmtpSink.start(),
    ]);
    db = new Client({ connectionString: postgres.url });
    await db.connect();
    contended = await seedWorld(postgres.url, {
      cashiers: SELLING_CASHIERS + 1,
      products: 1,
      stock: CONTENDED_STOCK,
      reorderLevel: 0,
    });
    alerting = await seedWorld(postgres.url, {
      cashiers: 2,
      products: ALERT_PRODUCTS,
      stock: 10,
      reorderLevel: 5,
    });
    // One JWT secret, as behind a load balancer: a token from either instance works on both.
    const env: ServiceEnv = {
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      SMTP_URL: sink.url,
      JWT_SECRET: jwtSecret(),
      ...SETTINGS,
    };
    const [api1, api2, worker1, worker2] = await startTogether(processes, [
      NodeProcess.api(env, 'api-1'),
      NodeProcess.api(env, 'api-2'),
      NodeProcess.worker(env, 'worker-1'),
      NodeProcess.worker(env, 'worker-2'),
    ]);
    apis = [api1.baseUrl!, api2.baseUrl!];
    workers = [worker1, worker2];
  });

  afterAll(async () => {
    await Promise.allSettled(processes.map((process) => process.kill()));
    await db?.end();
    await Promise.allSettled([sink?.stop(), redis?.stop(), postgres?.destroy()]);
  });

  it('sells exactly the stock when single-unit sales race on both instances', async () => {
    const [productId] = contended.productIds;
    const tokens = await Promise.all(
      contended.cashierUsernames
        .slice(0, SELLING_CASHIERS)
        .map((username, i) => loginOver(apis[i % 2], username)),
    );
    const attempts: SaleAttempt[] = await Promise.all(
      Array.from({ length: CONTENDED_SALES }, (_, i) =>
        saleOver(apis[i % 2], tokens[Math.floor(i / 2) % tokens.length], contended.storeId, [
          { productId, quantity: 1 },
        ]),
      ),
    );

    const committed = attempts.filter((attempt) => attempt.status === 201);
    const rejected = attempts.filter(
      (attempt) => attempt.status === 409 && attempt.body?.code === 'INSUFFICIENT_STOCK',
    );
    const others = attempts.filter(
      (attempt) => !committed.includes(attempt) && !rejected.includes(attempt),
    );
    const recorded = new Set(
      (
        await db!.query<{ id: string }>('SELECT id FROM sales WHERE store_id = $1', [
          contended.storeId,
        ])
      ).rows.map((row) => row.id),
    );
    const answered = new Set(committed.map((attempt) => String(attempt.body?.id)));
    const [{ quantity }] = (
      await db!.query<{ quantity: number }>(
        'SELECT quantity FROM inventory WHERE store_id = $1 AND product_id = $2',
        [contended.storeId, productId],
      )
    ).rows;
    const integrity = await checkIntegrity(postgres!.url);
    const committedOn = apis.map((_, api) =>
      count(attempts, (attempt, i) => i % 2 === api && attempt.status === 201),
    );
    recordFigures({
      scenario: 'two APIs: concurrent sales of one product',
      salesAttempted: attempts.length,
      salesCommitted: committed.length,
      salesRejected: rejected.length,
      // Answered 201 but not in the database / in the database without a 201.
      lost: count([...answered], (id) => !recorded.has(id)),
      duplicated: count([...recorded], (id) => !answered.has(id)),
      oversold: Math.max(0, committed.length - CONTENDED_STOCK),
      otherAnswers: others.length,
      committedOnApi1: committedOn[0],
      committedOnApi2: committedOn[1],
      finalStock: quantity,
    });

    expect(others.map((attempt) => attempt.status)).toEqual([]);
    expect(committed).toHaveLength(CONTENDED_STOCK);
    expect(rejected).toHaveLength(CONTENDED_SALES - CONTENDED_STOCK);
    for (const attempt of rejected) {
      expect(attempt.body?.details).toEqual([{ productId, requested: 1, available: 0 }]);
    }
    // Both instances took part in selling, not only in refusing.
    expect(Math.min(...committedOn)).toBeGreaterThan(0);
    expect(recorded).toEqual(answered);
    expect(quantity).toBe(0);
    expectIntact(integrity);
  });

  it('counts failed logins across both instances: the lockout holds on either', async () => {
    const username = contended.cashierUsernames[SELLING_CASHIERS];
    const failures: LoginAnswer[] = [];
    for (let i = 0; i < LOGIN_MAX_FAILURES; i++) {
      failures.push(await attemptLogin(apis[i % 2], username, 'wrong-password'));
    }
    // The next attempt, with the right password, on each instance (the other one first).
    const afterLimit: LoginAnswer[] = [];
    for (const api of [apis[LOGIN_MAX_FAILURES % 2], apis[(LOGIN_MAX_FAILURES + 1) % 2]]) {
      afterLimit.push(await attemptLogin(api, username, TEST_PASSWORD));
    }
    recordFigures({
      scenario: 'two APIs: login lockout across instances',
      // A lockout one instance did not apply / a failure refused before the limit (counted twice).
      lost: count(afterLimit, (answer) => answer.status !== 429),
      duplicated: count(failures, (answer) => answer.status === 429),
      failedAttempts: failures.length,
    });

    expect(failures.map((answer) => answer.status)).toEqual(
      Array.from({ length: LOGIN_MAX_FAILURES }, () => 401),
    );
    for (const answer of afterLimit) {
      expect(answer).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
      expect(answer.retryAfter).toBeGreaterThan(0);
    }
  });

  it('sends one email per low-stock crossing with four relays and two workers', async () => {
    const tokens = await Promise.all(
      alerting.cashierUsernames.map((username, i) => loginOver(apis[i % 2], username)),
    );
    // Every sale takes one unit of every product, lines in random order, on both instances.
    const sales = await Promise.all(
      Array.from({ length: ALERT_SALES }, (_, i) =>
        saleOver(
          apis[i % 2],
          tokens[Math.floor(i / 2) % tokens.length],
          alerting.storeId,
          shuffled(alerting.productIds).map((productId) => ({ productId, quantity: 1 })),
        ),
      ),
    );
    expect(sales.map((sale) => sale.status)).toEqual(sales.map(() => 201));

    // Crossings in the whole database (this store's six, and the contended product's one):
    // stock only went down, from above every product's level, so each low row crossed once.
    const crossings = (
      await db!.query<{ storeId: string; productId: string }>(
        `SELECT i.store_id AS "storeId", i.product_id AS "productId"
           FROM inventory i JOIN products p ON p.id = i.product_id
          WHERE i.quantity <= COALESCE(i.reorder_level, p.reorder_level)`,
      )
    ).rows.map((row) => `${row.storeId}/${row.productId}`);
    const outbox = async () =>
      (
        await db!.query<{ id: string; storeId: string; productId: string; delivered: boolean }>(
          `SELECT id, payload->>'storeId' AS "storeId", payload->>'productId' AS "productId",
                  delivered_at IS NOT NULL AS delivered
             FROM outbox WHERE type = 'low_stock'`,
        )
      ).rows;
    await eventually(async () => {
      expect((await outbox()).every((row) => row.delivered)).toBe(true);
      expect(sink!.messages.length).toBeGreaterThanOrEqual(crossings.length);
    }, 30_000);
    // Long enough for a late re-relay or a second worker's copy to arrive.
    await sleep(3000);

    const rows = await outbox();
    const rowIds = rows.map((row) => `<${row.id}@pos.local>`);
    const messageIds = sink!.messages.map((message) => message.messageId);
    // Emails per crossing, told apart by the outbox row their Message-ID names.
    const crossingOf = new Map(
      rows.map((row, i) => [rowIds[i], `${row.storeId}/${row.productId}`]),
    );
    const emailsPer = new Map(crossings.map((crossing) => [crossing, 0]));
    for (const id of messageIds) {
      const crossing = crossingOf.get(id);
      if (crossing !== undefined) emailsPer.set(crossing, (emailsPer.get(crossing) ?? 0) + 1);
    }
    const emails = [...emailsPer.values()];
    const deliveredBy = workers.map((worker) => worker.logs.split('delivered to').length - 1);
    recordFigures({
      scenario: 'two APIs + two workers: low-stock alerts',
      alertsExpected: crossings.length,
      alertsSent: count(emails, (n) => n > 0),
      lost: count(emails, (n) => n === 0),
      // Extra emails for one crossing, whether resent (same Message-ID) or from a second row.
      duplicated: emails.reduce((extra, n) => extra + Math.max(0, n - 1), 0),
      outboxRows: rows.length,
      deliveredByWorker1: deliveredBy[0],
      deliveredByWorker2: deliveredBy[1],
    });

    expect(crossings).toHaveLength(ALERT_PRODUCTS + 1);
    expect(rows).toHaveLength(crossings.length);
    expect(emails).toEqual(crossings.map(() => 1));
    expect([...messageIds].sort()).toEqual([...rowIds].sort());
    const managerOf = new Map(
      [contended, alerting].map((world) => [world.storeId, world.managerEmail]),
    );
    for (const row of rows) {
      const [message] = sink!.withMessageId(`<${row.id}@pos.local>`);
      expect(message.subject).toMatch(/^Low stock at /);
      expect(message.recipients).toEqual([managerOf.get(row.storeId)]);
    }
  });
});
