import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { IdempotencyCleanup } from '../../src/modules/sales/idempotency-cleanup.service';
import { startTestApp, TestApp } from '../support/app';
import { bearer, login, seedStore, seedUser, signedIn } from '../support/auth';
import { receiveStock, seedProduct, stockOf } from '../support/catalog';
import { postSale } from '../support/sales';
import { countDeadlockRetries } from '../support/pg-activity';

describe('sales under concurrency and retries', () => {
  let api: TestApp;
  let dataSource: DataSource;
  let storeId: string;
  let cashier: string;
  let cashierUser: { username: string };

  const receiptNumbers = async () =>
    (
      await dataSource.query(
        `SELECT receipt_seq FROM sales WHERE store_id = $1 ORDER BY receipt_seq`,
        [storeId],
      )
    ).map((row: { receipt_seq: number }) => row.receipt_seq);

  beforeAll(async () => {
    api = await startTestApp({
      env: {
        DATABASE_POOL_SIZE: '10',
        // These tests queue up to 200 requests on one row on a 2-core machine that is running
        // other suites too. Production's pool and lock waits (5 s, 10 s) would turn that queue
        // into 503s, which is a different behaviour, tested elsewhere; here every request must
        // reach its stock decision.
        DATABASE_CONNECT_TIMEOUT_MS: '60000',
        DATABASE_LOCK_TIMEOUT_MS: '60000',
        // A lock wait counts towards the statement's time (15 s by default).
        DATABASE_STATEMENT_TIMEOUT_MS: '90000',
      },
    });
    dataSource = api.app.get(DataSource);
    storeId = await seedStore(api);
    cashierUser = await seedUser(api, 'cashier', [storeId]);
    cashier = (await login(api, cashierUser.username)).accessToken;
  });
  afterAll(() => api.close());

  it('200 concurrent sales of a product with 50 in stock sell exactly 50 units, never below zero', async () => {
    const productId = await seedProduct(api);
    await receiveStock(api, storeId, productId, 50);
    const responses = await Promise.all(
      Array.from({ length: 200 }, () =>
        postSale(api, cashier, { storeId, items: [{ productId, quantity: 1 }] }),
      ),
    );
    const codes = responses.map((response) => response.statusCode);
    expect(codes.filter((code) => code === 201)).toHaveLength(50);
    const refused = responses.filter((response) => response.statusCode === 409);
    expect(refused).toHaveLength(150);
    // Every refusal is for the stock (not, say, a lock wait given up as IDEMPOTENCY_IN_PROGRESS).
    expect(refused.map((response) => response.json().code)).toEqual(
      refused.map(() => 'INSUFFICIENT_STOCK'),
    );
    expect(await stockOf(api, storeId, productId)).toEqual({
      quantity: 0,
      ledger: 0,
      movements: 51,
    });
    const [{ sold }] = await dataSource.query(
      `SELECT COALESCE(sum(quantity), 0)::int AS sold FROM sale_lines WHERE product_id = $1`,
      [productId],
    );
    expect(sold).toBe(50);
  });

  it('receipt numbers stay gapless under concurrency and after failed sales', async () => {
    const productId = await seedProduct(api);
    await receiveStock(api, storeId, productId, 30);
    const before = (await receiptNumbers()).length;
    const responses = await Promise.all(
      Array.from({ length: 45 }, () =>
        postSale(api, cashier, { storeId, items: [{ productId, quantity: 1 }] }),
      ),
    );
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 201)).toHaveLength(30);
    const refused = responses.filter((response) => response.statusCode === 409);
    expect(refused).toHaveLength(15);
    expect(refused.map((response) => response.json().code)).toEqual(
      refused.map(() => 'INSUFFICIENT_STOCK'),
    );
    const numbers = await receiptNumbers();
    expect(numbers).toHaveLength(before + 30);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
  });

  it('a sale that fails after taking its receipt number gives the number back', async () => {
    // Fails the sale's own statement after the counter was bumped (a test-only trigger).
    await dataSource.query(`
      CREATE FUNCTION fail_marked_payment() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'test: payment refused after numbering'; END $$;
      CREATE TRIGGER fail_marked_payment BEFORE INSERT ON sale_payments FOR EACH ROW
        WHEN (NEW.reference = 'FAIL-AFTER-NUMBERING') EXECUTE FUNCTION fail_marked_payment();`);
    try {
      const productId = await seedProduct(api, { unitPrice: 100 });
      await receiveStock(api, storeId, productId, 30);
      const before = (await receiptNumbers()).length;
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          postSale(api, cashier, {
            storeId,
            items: [{ productId, quantity: 1 }],
            payments: [
              i % 2 === 0
                ? { method: 'card', amount: 100, reference: 'FAIL-AFTER-NUMBERING' }
                : { method: 'cash', amount: 100 },
            ],
          }),
        ),
      );
      const statuses = responses.map((response) => response.statusCode);
      expect(statuses.filter((status) => status === 201)).toHaveLength(10);
      const failed = responses.filter((response) => response.statusCode === 500);
      expect(failed).toHaveLength(10);
      for (const response of failed) {
        expect(response.json().code).toBe('INTERNAL');
        expect(response.body).not.toMatch(/payment refused after numbering|sale_payments/);
      }
      const numbers = await receiptNumbers();
      expect(numbers).toHaveLength(before + 10);
      expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
      expect((await stockOf(api, storeId, productId)).quantity).toBe(20);
    } finally {
      await dataSource.query(`DROP TRIGGER fail_marked_payment ON sale_payments;
                              DROP FUNCTION fail_marked_payment();`);
    }
  });

  it('concurrent multi-line sales over overlapping products never deadlock', async () => {
    const retries = countDeadlockRetries();
    const products = [
      await seedProduct(api),
      await seedProduct(api),
      await seedProduct(api),
      await seedProduct(api),
    ];
    for (const productId of products) await receiveStock(api, storeId, productId, 1000);
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const rotated = [...products.slice(i % 4), ...products.slice(0, i % 4)];
        return postSale(api, cashier, {
          storeId,
          items: rotated.slice(0, 3).map((productId) => ({ productId, quantity: 1 })),
        });
      }),
    );
    expect(responses.map((response) => response.statusCode).every((code) => code === 201)).toBe(
      true,
    );
    for (const productId of products) {
      const stock = await stockOf(api, storeId, productId);
      expect(stock.quantity).toBe(stock.ledger);
      expect(stock.quantity).toBe(1000 - 45); // each product is in 3 of every 4 sales
    }
    expect(retries.count()).toBe(0);
    retries.stop();
  });

  describe('Idempotency-Key', () => {
    it('replays the original sale with Idempotent-Replayed: true and moves stock once', async () => {
      const productId = await seedProduct(api);
      await receiveStock(api, storeId, productId, 10);
      const key = randomUUID();
      const body = { storeId, items: [{ productId, quantity: 2 }] };
      const first = await postSale(api, cashier, body, key);
      const again = await postSale(api, cashier, body, key);
      expect(first.statusCode).toBe(201);
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(again.json()).toEqual(first.json());
      expect(await stockOf(api, storeId, productId)).toMatchObject({ quantity: 8, movements: 2 });
    });

    it('the same key with a different body → 422 IDEMPOTENCY_KEY_REUSED', async () => {
      const productId = await seedProduct(api);
      await receiveStock(api, storeId, productId, 10);
      const key = randomUUID();
      await postSale(api, cashier, { storeId, items: [{ productId, quantity: 1 }] }, key);
      const reused = await postSale(
        api,
        cashier,
        { storeId, items: [{ productId, quantity: 3 }] },
        key,
      );
      expect(reused.statusCode).toBe(422);
      expect(reused.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('keys are per user: another cashier may use the same key', async () => {
      const productId = await seedProduct(api);
      await receiveStock(api, storeId, productId, 10);
      const other = await seedUser(api, 'cashier', [storeId]);
      const otherToken = (await login(api, other.username)).accessToken;
      const key = randomUUID();
      const body = { storeId, items: [{ productId, quantity: 1 }] };
      const mine = await postSale(api, cashier, body, key);
      const theirs = await postSale(api, otherToken, body, key);
      expect([mine.statusCode, theirs.statusCode]).toEqual([201, 201]);
      expect(theirs.headers['idempotent-replayed']).toBeUndefined();
      expect(theirs.json().id).not.toBe(mine.json().id);
      expect(theirs.json().cashierId).toBe(other.id);
      expect(await stockOf(api, storeId, productId)).toMatchObject({ quantity: 8, movements: 3 });
    });

    it('20 concurrent requests with one key make exactly one sale; the others replay it', async () => {
      const productId = await seedProduct(api);
      await receiveStock(api, storeId, productId, 100);
      const key = randomUUID();
      const body = { storeId, items: [{ productId, quantity: 1 }] };
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => postSale(api, cashier, body, key)),
      );
      // Lock waits here may take 60 s, so none of them gives up with 409: all get the sale.
      expect(responses.map((response) => response.statusCode)).toEqual(responses.map(() => 201));
      expect(new Set(responses.map((response) => response.json().id)).size).toBe(1);
      expect(
        responses.filter((response) => response.headers['idempotent-replayed'] === 'true').length,
      ).toBe(19);
      expect(await stockOf(api, storeId, productId)).toMatchObject({ quantity: 99, movements: 2 });
    });

    it('replays a sale made before its store was deactivated; new sales there are refused', async () => {
      const closing = await seedStore(api);
      const seller = await seedUser(api, 'cashier', [closing]);
      const token = (await login(api, seller.username)).accessToken;
      const admin = (await signedIn(api, 'admin')).token;
      const productId = await seedProduct(api);
      await receiveStock(api, closing, productId, 5);
      const key = randomUUID();
      const body = { storeId: closing, items: [{ productId, quantity: 1 }] };
      const first = await postSale(api, token, body, key);
      expect(first.statusCode).toBe(201);
      const closed = await api.request({
        method: 'PATCH',
        url: `/api/v1/stores/${closing}`,
        headers: bearer(admin),
        payload: { active: false },
      });
      expect(closed.statusCode).toBe(200);

      const replay = await postSale(api, token, body, key);
      expect(replay.statusCode).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.json()).toEqual(first.json());
      const otherBody = await postSale(
        api,
        token,
        { ...body, items: [{ productId, quantity: 2 }] },
        key,
      );
      expect(otherBody.statusCode).toBe(422);
      expect(otherBody.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
      const fresh = await postSale(api, token, body, randomUUID());
      expect(fresh.statusCode).toBe(400);
      expect(fresh.json().details[0].field).toBe('storeId');
      expect(await stockOf(api, closing, productId)).toMatchObject({ quantity: 4, movements: 2 });
    });

    it('a failed sale does not keep its key: a retry after restocking succeeds', async () => {
      const productId = await seedProduct(api);
      const key = randomUUID();
      const body = { storeId, items: [{ productId, quantity: 1 }] };
      const failed = await postSale(api, cashier, body, key);
      expect(failed.statusCode).toBe(409);
      expect(failed.json().code).toBe('INSUFFICIENT_STOCK');
      await receiveStock(api, storeId, productId, 1);
      expect((await postSale(api, cashier, body, key)).statusCode).toBe(201);
    });

    it('expired keys are removed by the cleanup, after which the key is free again', async () => {
      const productId = await seedProduct(api);
      await receiveStock(api, storeId, productId, 5);
      const key = randomUUID();
      const body = { storeId, items: [{ productId, quantity: 1 }] };
      const first = (await postSale(api, cashier, body, key)).json();
      const cleanup = api.app.get(IdempotencyCleanup);
      expect(await cleanup.clean()).toBe(0); // younger than 24 h: kept
      // Still kept after 24 h: a till may send a sale dated up to SALE_MAX_BACKDATE_HOURS (72)
      // back, and retry it as late.
      await dataSource.query(
        `UPDATE idempotency_keys SET created_at = now() - interval '71 hours' WHERE key = $1`,
        [key],
      );
      expect(await cleanup.clean()).toBe(0);
      const replayed = await postSale(api, cashier, body, key);
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      await dataSource.query(
        `UPDATE idempotency_keys SET created_at = now() - interval '73 hours' WHERE key = $1`,
        [key],
      );
      expect(await cleanup.clean()).toBeGreaterThanOrEqual(1);
      const second = await postSale(api, cashier, body, key);
      expect(second.statusCode).toBe(201);
      expect(second.json().id).not.toBe(first.id);
    });

    it('replays after an application restart', async () => {
      const productId = await seedProduct(api);
      await receiveStock(api, storeId, productId, 5);
      const key = randomUUID();
      const body = { storeId, items: [{ productId, quantity: 1 }] };
      const original = (await postSale(api, cashier, body, key)).json();
      const restarted = await startTestApp({ databaseUrl: () => api.database.url });
      try {
        const token = (await login(restarted, cashierUser.username)).accessToken;
        const replay = await postSale(restarted, token, body, key);
        expect(replay.statusCode).toBe(201);
        expect(replay.headers['idempotent-replayed']).toBe('true');
        expect(replay.json().id).toBe(original.id);
      } finally {
        await restarted.close();
      }
      expect(await stockOf(api, storeId, productId)).toMatchObject({ quantity: 4 });
    });
  });
});
