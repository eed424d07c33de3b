import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { bearer, seedStore, seedUser, login, signedIn } from '../support/auth';
import { receiveStock, seedProduct, stockOf } from '../support/catalog';
import { postSale } from '../support/sales';

describe('sales', () => {
  let api: TestApp;
  let dataSource: DataSource;
  let storeA: string;
  let storeB: string;
  let cashier: string;
  let cashierId: string;
  let manager: string;
  let cashierB: string;
  let admin: string;

  beforeAll(async () => {
    api = await startTestApp();
    dataSource = api.app.get(DataSource);
    storeA = await seedStore(api, { code: `A${randomUUID().slice(0, 6).toUpperCase()}` });
    storeB = await seedStore(api);
    const seller = await seedUser(api, 'cashier', [storeA], { commissionRate: 2.5 });
    cashierId = seller.id;
    cashier = (await login(api, seller.username)).accessToken;
    manager = (await signedIn(api, 'manager', [storeA])).token;
    cashierB = (await signedIn(api, 'cashier', [storeB])).token;
    admin = (await signedIn(api, 'admin')).token;
  });
  afterAll(() => api.close());

  describe('a sale', () => {
    it('prices from the catalogue with VAT per line, takes stock, numbers the receipt and pays commission', async () => {
      const milk = await seedProduct(api, { unitPrice: 11600, taxClass: 'standard' });
      const bread = await seedProduct(api, { unitPrice: 5000, taxClass: 'zero' });
      await receiveStock(api, storeA, milk, 10);
      await receiveStock(api, storeA, bread, 10);
      const response = await postSale(api, cashier, {
        storeId: storeA,
        items: [
          { productId: milk, quantity: 2, discount: 200 },
          { productId: bread, quantity: 1 },
        ],
        payments: [
          { method: 'mpesa', amount: 20000, phone: '0712 345 678', reference: 'QKT4XYZ12A' },
          { method: 'cash', amount: 10000 },
        ],
        customerPhone: '+254722000111',
      });
      expect(response.statusCode).toBe(201);
      const sale = response.json();
      expect(sale).toMatchObject({
        storeId: storeA,
        cashierId,
        status: 'completed',
        subtotal: 28200,
        discountTotal: 200,
        total: 28000,
        vatTotal: 3172, // 23000 × 16 / 116 = 3172.41
        paid: 30000,
        change: 2000,
        commission: 621, // 2.5% × (28000 − 3172) = 620.7
        customerPhone: '+254722000111',
      });
      expect(sale.receiptNumber).toMatch(/^A[0-9A-F]{6}-\d{6}$/);
      expect(sale.lines).toEqual([
        expect.objectContaining({
          productId: milk,
          quantity: 2,
          unitPrice: 11600,
          discount: 200,
          taxClass: 'standard',
          vatRate: 16,
          vat: 3172,
          total: 23000,
        }),
        expect.objectContaining({
          productId: bread,
          quantity: 1,
          unitPrice: 5000,
          taxClass: 'zero',
          vatRate: 0,
          vat: 0,
          total: 5000,
        }),
      ]);
      expect(sale.vatBreakdown).toEqual([
        { taxClass: 'standard', vatRate: 16, taxable: 19828, vat: 3172 },
        { taxClass: 'zero', vatRate: 0, taxable: 5000, vat: 0 },
      ]);
      expect(sale.payments[0]).toMatchObject({
        method: 'mpesa',
        phone: '+254712345678',
        reference: 'QKT4XYZ12A',
      });
      expect(await stockOf(api, storeA, milk)).toMatchObject({ quantity: 8, ledger: 8 });
      const [audit] = await dataSource.query(`SELECT action FROM audit_logs WHERE entity_id = $1`, [
        sale.id,
      ]);
      expect(audit.action).toBe('sale.created');
      const detail = await api.request({
        method: 'GET',
        url: `/api/v1/sales/${sale.id}`,
        headers: bearer(cashier),
      });
      expect(detail.json()).toEqual(sale);
      // Payments keep the till's order (a replay or a reprint lists them as sent).
      const stored = await dataSource.query(
        `SELECT method, position FROM sale_payments WHERE sale_id = $1 ORDER BY position`,
        [sale.id],
      );
      expect(stored).toEqual([
        { method: 'mpesa', position: 1 },
        { method: 'cash', position: 2 },
      ]);
    });

    it('refuses payments that do not cover the total, and card payments above it, with 422 PAYMENT_MISMATCH', async () => {
      const productId = await seedProduct(api, { unitPrice: 10000 });
      await receiveStock(api, storeA, productId, 5);
      const short = await postSale(api, cashier, {
        storeId: storeA,
        items: [{ productId, quantity: 1 }],
        payments: [{ method: 'cash', amount: 9999 }],
      });
      expect(short.statusCode).toBe(422);
      expect(short.json().code).toBe('PAYMENT_MISMATCH');
      const over = await postSale(api, cashier, {
        storeId: storeA,
        items: [{ productId, quantity: 1 }],
        payments: [{ method: 'card', amount: 10001 }],
      });
      expect(over.statusCode).toBe(422);
      expect(over.json().code).toBe('PAYMENT_MISMATCH');
      const splitOver = await postSale(api, cashier, {
        storeId: storeA,
        items: [{ productId, quantity: 1 }],
        payments: [
          { method: 'mpesa', amount: 6000, reference: 'QK12345678' },
          { method: 'card', amount: 4001 },
        ],
      });
      expect(splitOver.statusCode).toBe(422);
      expect(splitOver.json().code).toBe('PAYMENT_MISMATCH');
      const none = await postSale(api, cashier, {
        storeId: storeA,
        items: [{ productId, quantity: 1 }],
        payments: [],
      });
      expect(none.statusCode).toBe(422);
      expect(none.json().code).toBe('PAYMENT_MISMATCH');
      expect(await stockOf(api, storeA, productId)).toMatchObject({ quantity: 5 });
    });

    it('records a sale whose total is 0 (discounted in full) with no payment and no change', async () => {
      const productId = await seedProduct(api, { unitPrice: 500 });
      await receiveStock(api, storeA, productId, 5);
      const free = await postSale(api, cashier, {
        storeId: storeA,
        items: [{ productId, quantity: 1, discount: 500 }],
        payments: [],
      });
      expect(free.statusCode).toBe(201);
      expect(free.json()).toMatchObject({ total: 0, paid: 0, change: 0, payments: [] });
      expect(await stockOf(api, storeA, productId)).toMatchObject({ quantity: 4 });
    });

    it('validates the request with a field for each problem', async () => {
      const productId = await seedProduct(api);
      const inactive = await seedProduct(api, { active: false });
      await receiveStock(api, storeA, productId, 5);
      // ISO 8601 forms JavaScript cannot read: refused, never sent on to PostgreSQL (a 500)
      const unreadable = [
        '2026-11-25T09',
        '2026-W48-3',
        '2026-11-25T0930Z',
        '2026-02-30T10:00:00Z',
      ];
      const cases: [object, string][] = [
        [{ items: [] }, 'items'],
        [{ items: [{ productId, quantity: 0 }] }, 'items.0.quantity'],
        [{ items: [{ productId, quantity: -1 }] }, 'items.0.quantity'],
        [{ items: [{ productId, quantity: 1.5 }] }, 'items.0.quantity'],
        [
          {
            items: [
              { productId, quantity: 1 },
              { productId, quantity: 2 },
            ],
          },
          'items.1.productId',
        ],
        [{ items: [{ productId: randomUUID(), quantity: 1 }] }, 'items.0.productId'],
        [{ items: [{ productId: inactive, quantity: 1 }] }, 'items.0.productId'],
        [{ items: [{ productId, quantity: 1, discount: 11601 }] }, 'items.0.discount'],
        [
          {
            items: [{ productId, quantity: 1 }],
            occurredAt: new Date(Date.now() + 3_600_000).toISOString(),
          },
          'occurredAt',
        ],
        [
          {
            items: [{ productId, quantity: 1 }],
            occurredAt: new Date(Date.now() - 10 * 86_400_000).toISOString(),
          },
          'occurredAt',
        ],
        [
          { items: [{ productId, quantity: 1 }], payments: [{ method: 'mpesa', amount: 11600 }] },
          'payments.0',
        ],
        [
          {
            items: [{ productId, quantity: 1 }],
            payments: [{ method: 'mpesa', amount: 11600, reference: 'short' }],
          },
          'payments.0.reference',
        ],
        [
          {
            items: [{ productId, quantity: 1 }],
            payments: [{ method: 'mpesa', amount: 11600, phone: '12345' }],
          },
          'payments.0.phone',
        ],
        [
          { items: [{ productId, quantity: 1 }], payments: [{ method: 'bitcoin', amount: 11600 }] },
          'payments.0.method',
        ],
        [
          { items: [{ productId, quantity: 1 }], payments: [{ method: 'cash', amount: 116.5 }] },
          'payments.0.amount',
        ],
        [{ items: [{ productId, quantity: 1 }], unitPrice: 1 }, 'unitPrice'],
        ...unreadable.map((occurredAt): [object, string] => [
          { items: [{ productId, quantity: 1 }], occurredAt },
          'occurredAt',
        ]),
      ];
      // Above 10^12 minor units a line or a sale is refused (sums must stay exact).
      const costly = await seedProduct(api, { unitPrice: 900_000_000_000 });
      const pricey = await seedProduct(api, { unitPrice: 200_000_000_000 });
      await receiveStock(api, storeA, costly, 5);
      await receiveStock(api, storeA, pricey, 5);
      cases.push(
        [{ items: [{ productId: costly, quantity: 2 }] }, 'items.0.quantity'],
        [
          {
            items: [
              { productId: costly, quantity: 1 },
              { productId: pricey, quantity: 1 },
            ],
          },
          'items',
        ],
      );
      for (const [body, field] of cases) {
        const response = await postSale(api, cashier, { storeId: storeA, ...body } as never);
        expect({ field, status: response.statusCode }).toEqual({ field, status: 400 });
        expect(response.json().details.map((detail: { field: string }) => detail.field)).toContain(
          field,
        );
      }
      // Refused for the form itself: JavaScript reads 30 February as 2 March, which the
      // backdating window would refuse too, for another reason.
      for (const occurredAt of unreadable) {
        const response = await postSale(api, cashier, {
          storeId: storeA,
          items: [{ productId, quantity: 1 }],
          occurredAt,
        });
        expect(response.json().details).toEqual([
          {
            field: 'occurredAt',
            problems: [expect.stringMatching(/^occurredAt must be an ISO 8601 date-time/)],
          },
        ]);
      }
      expect(await stockOf(api, storeA, productId)).toMatchObject({ quantity: 5, movements: 1 });
    });

    it('requires an Idempotency-Key header', async () => {
      const productId = await seedProduct(api);
      const response = await postSale(
        api,
        cashier,
        { storeId: storeA, items: [{ productId, quantity: 1 }] },
        null,
      );
      expect(response.statusCode).toBe(400);
      expect(response.json().details[0].field).toBe('Idempotency-Key');
    });

    it('answers 409 INSUFFICIENT_STOCK listing every short line, and writes nothing', async () => {
      const [a, b, c] = [await seedProduct(api), await seedProduct(api), await seedProduct(api)];
      await receiveStock(api, storeA, a, 1);
      await receiveStock(api, storeA, c, 5);
      const [{ count: salesBefore }] = await dataSource.query(
        `SELECT count(*)::int AS count FROM sales`,
      );
      const response = await postSale(api, cashier, {
        storeId: storeA,
        items: [
          { productId: a, quantity: 2 },
          { productId: b, quantity: 1 },
          { productId: c, quantity: 1 },
        ],
      });
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('INSUFFICIENT_STOCK');
      expect(response.json().details).toEqual(
        expect.arrayContaining([
          { productId: a, requested: 2, available: 1 },
          { productId: b, requested: 1, available: 0 },
        ]),
      );
      expect(response.json().details).toHaveLength(2);
      const [{ count: salesAfter }] = await dataSource.query(
        `SELECT count(*)::int AS count FROM sales`,
      );
      expect(salesAfter).toBe(salesBefore);
      expect(await stockOf(api, storeA, c)).toMatchObject({ quantity: 5, movements: 1 });
    });
  });

  describe('store scoping and roles', () => {
    it('a cashier of store A cannot sell at store B or read its sales (404)', async () => {
      const productId = await seedProduct(api);
      await receiveStock(api, storeB, productId, 5);
      await receiveStock(api, storeA, productId, 5);
      const saleAtA = (
        await postSale(api, cashier, { storeId: storeA, items: [{ productId, quantity: 1 }] })
      ).json();
      const attempt = await postSale(api, cashier, {
        storeId: storeB,
        items: [{ productId, quantity: 1 }],
      });
      expect(attempt.statusCode).toBe(404);
      expect(attempt.json().code).toBe('NOT_FOUND');
      // Nothing was taken at B.
      expect(await stockOf(api, storeB, productId)).toEqual({
        quantity: 5,
        ledger: 5,
        movements: 1,
      });
      const saleAtB = (
        await postSale(api, cashierB, { storeId: storeB, items: [{ productId, quantity: 1 }] })
      ).json();
      const readOne = await api.request({
        method: 'GET',
        url: `/api/v1/sales/${saleAtB.id}`,
        headers: bearer(cashier),
      });
      expect(readOne.statusCode).toBe(404);
      expect(readOne.json().code).toBe('NOT_FOUND');
      const listAtB = await api.request({
        method: 'GET',
        url: `/api/v1/sales?storeId=${storeB}`,
        headers: bearer(cashier),
      });
      expect(listAtB.statusCode).toBe(404);
      expect(listAtB.json().code).toBe('NOT_FOUND');
      const list = (
        await api.request({
          method: 'GET',
          url: '/api/v1/sales?pageSize=200',
          headers: bearer(cashier),
        })
      ).json();
      expect(list.data.map((sale: { id: string }) => sale.id)).toContain(saleAtA.id);
      expect(list.data.every((sale: { storeId: string }) => sale.storeId === storeA)).toBe(true);
      expect(
        (
          await api.request({
            method: 'GET',
            url: `/api/v1/sales/${saleAtB.id}`,
            headers: bearer(admin),
          })
        ).statusCode,
      ).toBe(200);
    });

    /** One sale at store A (by its cashier) and one at store B. */
    const aSaleAtEachStore = async () => {
      const productId = await seedProduct(api);
      await receiveStock(api, storeA, productId, 5);
      await receiveStock(api, storeB, productId, 5);
      const sellAt = async (storeId: string, token: string) =>
        (await postSale(api, token, { storeId, items: [{ productId, quantity: 1 }] })).json();
      return { saleAtA: await sellAt(storeA, cashier), saleAtB: await sellAt(storeB, cashierB) };
    };

    it('a manager of store A gets 404 for store B’s sales and lists only A’s', async () => {
      const { saleAtA, saleAtB } = await aSaleAtEachStore();
      const asManager = (url: string) =>
        api.request({ method: 'GET', url, headers: bearer(manager) });

      const one = await asManager(`/api/v1/sales/${saleAtB.id}`);
      expect(one.statusCode).toBe(404);
      expect(one.json().code).toBe('NOT_FOUND');
      expect(one.body).not.toContain(saleAtB.receiptNumber);
      const filtered = await asManager(`/api/v1/sales?storeId=${storeB}`);
      expect(filtered.statusCode).toBe(404);
      expect(filtered.json().code).toBe('NOT_FOUND');

      const list = await asManager('/api/v1/sales?pageSize=200');
      expect(list.statusCode).toBe(200);
      const ids = list.json().data.map((sale: { id: string }) => sale.id);
      expect(ids).toContain(saleAtA.id);
      expect(ids).not.toContain(saleAtB.id);
      expect(list.json().data.every((sale: { storeId: string }) => sale.storeId === storeA)).toBe(
        true,
      );
      expect((await asManager(`/api/v1/sales/${saleAtA.id}`)).statusCode).toBe(200);
    });

    it('a CSV export without storeId leaves out other stores’ sales; with another store’s id it is a 404', async () => {
      const { saleAtA, saleAtB } = await aSaleAtEachStore();
      for (const [role, token] of [
        ['cashier', cashier],
        ['manager', manager],
      ]) {
        const csv = await api.request({
          method: 'GET',
          url: '/api/v1/sales?format=csv',
          headers: bearer(token),
        });
        expect({ role, status: csv.statusCode }).toEqual({ role, status: 200 });
        expect(csv.headers['content-type']).toMatch(/^text\/csv/);
        const [header, ...rows] = csv.body
          .trim()
          .split('\r\n')
          .map((line) => line.split(','));
        expect(header.slice(0, 3)).toEqual(['id', 'receiptNumber', 'storeId']);
        expect(rows.map((row) => row[0])).toContain(saleAtA.id);
        expect(rows.map((row) => row[0])).not.toContain(saleAtB.id);
        expect({ role, stores: [...new Set(rows.map((row) => row[2]))] }).toEqual({
          role,
          stores: [storeA],
        });

        const foreign = await api.request({
          method: 'GET',
          url: `/api/v1/sales?format=csv&storeId=${storeB}`,
          headers: bearer(token),
        });
        expect({ role, status: foreign.statusCode }).toEqual({ role, status: 404 });
        expect(foreign.headers['content-type']).toMatch(/^application\/json/);
        expect(foreign.headers['content-disposition']).toBeUndefined();
        expect(foreign.json().code).toBe('NOT_FOUND');
        expect(foreign.body).not.toContain(saleAtB.id);
      }
    });

    it('an admin selling at a store that does not exist gets 404 NOT_FOUND', async () => {
      const productId = await seedProduct(api);
      const [{ count: salesBefore }] = await dataSource.query(
        `SELECT count(*)::int AS count FROM sales`,
      );
      const response = await postSale(
        api,
        admin,
        { storeId: randomUUID(), items: [{ productId, quantity: 1 }] },
        randomUUID(),
      );
      expect(response.statusCode).toBe(404);
      expect(response.json().code).toBe('NOT_FOUND');
      const [{ count: salesAfter }] = await dataSource.query(
        `SELECT count(*)::int AS count FROM sales`,
      );
      expect(salesAfter).toBe(salesBefore);
    });

    it('managers and admins may sell; anonymous callers may not', async () => {
      const productId = await seedProduct(api);
      await receiveStock(api, storeA, productId, 5);
      expect(
        (await postSale(api, manager, { storeId: storeA, items: [{ productId, quantity: 1 }] }))
          .statusCode,
      ).toBe(201);
      expect(
        (await postSale(api, admin, { storeId: storeA, items: [{ productId, quantity: 1 }] }))
          .statusCode,
      ).toBe(201);
      const anonymous = await api.request({ method: 'POST', url: '/api/v1/sales', payload: {} });
      expect(anonymous.statusCode).toBe(401);
      // A manager sells at their own stores only: another store is not found.
      await receiveStock(api, storeB, productId, 5);
      const elsewhere = await postSale(api, manager, {
        storeId: storeB,
        items: [{ productId, quantity: 1 }],
      });
      expect(elsewhere.statusCode).toBe(404);
      expect(elsewhere.json().code).toBe('NOT_FOUND');
      expect(await stockOf(api, storeB, productId)).toMatchObject({ quantity: 5 });
    });

    it('lists with filters and exports CSV', async () => {
      const productId = await seedProduct(api);
      await receiveStock(api, storeA, productId, 5);
      const sale = (
        await postSale(api, cashier, { storeId: storeA, items: [{ productId, quantity: 1 }] })
      ).json();
      const list = (
        await api.request({
          method: 'GET',
          url: `/api/v1/sales?storeId=${storeA}&cashierId=${cashierId}&status=completed`,
          headers: bearer(manager),
        })
      ).json();
      expect(list.data[0]).toMatchObject({
        id: sale.id,
        receiptNumber: sale.receiptNumber,
        total: sale.total,
      });
      const csv = await api.request({
        method: 'GET',
        url: `/api/v1/sales?format=csv&storeId=${storeA}&cashierId=${cashierId}&status=completed`,
        headers: bearer(manager),
      });
      expect(csv.headers['content-disposition']).toMatch(/sales\.csv/);
      const lines = csv.body.trim().split('\r\n');
      expect(lines[0]).toMatch(/^id,receiptNumber,storeId/);
      expect(lines).toHaveLength(list.total + 1);
      for (const from of ['2026-W05', '2026-02-30', '2026-11-25T09']) {
        const refused = await api.request({
          method: 'GET',
          url: `/api/v1/sales?storeId=${storeA}&from=${from}`,
          headers: bearer(manager),
        });
        expect({ from, status: refused.statusCode }).toEqual({ from, status: 400 });
      }
    });

    it('selects by occurredAt, from inclusive and to exclusive, also with an unencoded + offset', async () => {
      const productId = await seedProduct(api);
      await receiveStock(api, storeA, productId, 5);
      const at = (msAgo: number) => new Date(Math.floor((Date.now() - msAgo) / 1000) * 1000);
      const [first, second] = [at(5 * 3_600_000 + 13 * 60_000), at(5 * 3_600_000 + 3 * 60_000)];
      const ids: string[] = [];
      for (const occurredAt of [first, second]) {
        const sale = await postSale(api, cashier, {
          storeId: storeA,
          items: [{ productId, quantity: 1 }],
          occurredAt: occurredAt.toISOString(),
        });
        ids.push(sale.json().id);
      }
      // As a till in Nairobi writes it, '+' and all: the query string makes it a space.
      const nairobi = (instant: Date) =>
        new Date(instant.getTime() + 3 * 3_600_000).toISOString().replace('Z', '+03:00');
      const listed = async (from: Date, to: Date) => {
        const response = await api.request({
          method: 'GET',
          url: `/api/v1/sales?storeId=${storeA}&from=${nairobi(from)}&to=${nairobi(to)}`,
          headers: bearer(manager),
        });
        expect(response.statusCode).toBe(200);
        return response.json().data.map((sale: { id: string }) => sale.id);
      };
      expect(await listed(first, second)).toEqual([ids[0]]);
      expect((await listed(first, new Date(second.getTime() + 1))).sort()).toEqual([...ids].sort());
      expect(await listed(new Date(first.getTime() + 1), second)).toEqual([]);
    });

    it('takes ids in upper case as the same ids', async () => {
      const productId = await seedProduct(api);
      await receiveStock(api, storeA, productId, 5);
      const response = await postSale(api, cashier, {
        storeId: storeA.toUpperCase(),
        items: [{ productId: productId.toUpperCase(), quantity: 2 }],
      });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({
        storeId: storeA,
        lines: [expect.objectContaining({ productId, quantity: 2 })],
      });
      expect(await stockOf(api, storeA, productId)).toMatchObject({ quantity: 3 });
    });
  });
});

describe('sales line limit', () => {
  let api: TestApp;
  afterAll(() => api.close());

  it('refuses more lines than SALE_MAX_LINES with 400 on items', async () => {
    api = await startTestApp({ env: { SALE_MAX_LINES: '2' } });
    const storeId = await seedStore(api);
    const { token } = await signedIn(api, 'cashier', [storeId]);
    const items = [await seedProduct(api), await seedProduct(api), await seedProduct(api)].map(
      (productId) => ({ productId, quantity: 1 }),
    );
    const response = await postSale(api, token, { storeId, items });
    expect(response.statusCode).toBe(400);
    expect(response.json().details).toEqual([
      { field: 'items', problems: ['at most 2 lines per sale'] },
    ]);
  });
});

describe('a duplicate Idempotency-Key still in flight', () => {
  let api: TestApp;
  afterAll(() => api.close());

  it('waits up to DATABASE_LOCK_TIMEOUT_MS for the first request, then answers 409 IDEMPOTENCY_IN_PROGRESS', async () => {
    api = await startTestApp({ env: { DATABASE_LOCK_TIMEOUT_MS: '300' } });
    const storeId = await seedStore(api);
    const cashier = await seedUser(api, 'cashier', [storeId]);
    const token = (await login(api, cashier.username)).accessToken;
    const productId = await seedProduct(api);
    const key = randomUUID();
    // The first request's transaction: it holds the key and has not committed yet.
    const inFlight = api.app.get(DataSource).createQueryRunner();
    await inFlight.connect();
    await inFlight.startTransaction();
    await inFlight.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)`,
      [cashier.id, key, '0'.repeat(64)],
    );
    try {
      const duplicate = await postSale(
        api,
        token,
        { storeId, items: [{ productId, quantity: 1 }] },
        key,
      );
      expect(duplicate.statusCode).toBe(409);
      expect(duplicate.json().code).toBe('IDEMPOTENCY_IN_PROGRESS');
    } finally {
      await inFlight.rollbackTransaction();
      await inFlight.release();
    }
  });
});
