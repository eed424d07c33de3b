import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { bearer, login, seedStore, seedUser, signedIn } from '../support/auth';
import { receiveStock, seedProduct, stockOf } from '../support/catalog';
import { postSale, SaleItem } from '../support/sales';
import { whileLocked } from '../support/pg-activity';

interface ReturnItem {
  lineId: string;
  quantity: number;
}

describe('sale returns', () => {
  let api: TestApp;
  let dataSource: DataSource;
  let storeA: string;
  let storeB: string;
  let cashier: string;
  let manager: string;
  let managerB: string;
  let admin: string;

  /** A sale at store A by the 2.5% cashier, with stock received for it first. */
  const sell = async (items: SaleItem[], storeId = storeA, token = cashier) => {
    for (const item of items) await receiveStock(api, storeId, item.productId, item.quantity);
    const response = await postSale(api, token, { storeId, items });
    expect(response.statusCode).toBe(201);
    return response.json();
  };

  const postReturn = (
    token: string,
    saleId: string,
    items: ReturnItem[],
    overrides: Record<string, unknown> = {},
    idempotencyKey?: string,
  ) =>
    api.request({
      method: 'POST',
      url: `/api/v1/sales/${saleId}/returns`,
      headers: {
        ...bearer(token),
        ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
      },
      payload: {
        items,
        reason: 'Customer changed their mind',
        restock: false,
        refundMethod: 'cash',
        ...overrides,
      },
    });

  const getSale = async (saleId: string) =>
    (
      await api.request({ method: 'GET', url: `/api/v1/sales/${saleId}`, headers: bearer(admin) })
    ).json();

  const returnedQuantities = (sale: { lines: { returnedQuantity: number }[] }) =>
    sale.lines.map((line) => line.returnedQuantity);

  const countReturns = async (saleId: string): Promise<number> => {
    const [{ count }] = await dataSource.query(
      `SELECT count(*)::int AS count FROM sale_returns WHERE sale_id = $1`,
      [saleId],
    );
    return count;
  };

  beforeAll(async () => {
    api = await startTestApp();
    dataSource = api.app.get(DataSource);
    storeA = await seedStore(api);
    storeB = await seedStore(api);
    const seller = await seedUser(api, 'cashier', [storeA], { commissionRate: 2.5 });
    cashier = (await login(api, seller.username)).accessToken;
    manager = (await signedIn(api, 'manager', [storeA])).token;
    managerB = (await signedIn(api, 'manager', [storeB])).token;
    admin = (await signedIn(api, 'admin')).token;
  });
  afterAll(() => api.close());

  describe('refunds', () => {
    it('refunds part of a sale by its share, reverses commission in proportion, and the rest adds up exactly', async () => {
      const milk = await seedProduct(api, { unitPrice: 11600, taxClass: 'standard' });
      const bread = await seedProduct(api, { unitPrice: 5000, taxClass: 'zero' });
      const sale = await sell([
        { productId: milk, quantity: 3, discount: 100 },
        { productId: bread, quantity: 1 },
      ]);
      // milk 34700 (VAT 4786), bread 5000; commission 2.5% × (39700 − 4786) = 872.85
      expect(sale).toMatchObject({ total: 39700, vatTotal: 4786, commission: 873 });
      const [milkLine, breadLine] = sale.lines;

      const first = await postReturn(manager, sale.id, [{ lineId: milkLine.id, quantity: 1 }], {
        reason: '  Damaged packaging  ',
        refundMethod: 'mpesa',
      });
      expect(first.statusCode).toBe(201);
      const firstReturn = first.json();
      expect(firstReturn).toMatchObject({
        saleId: sale.id,
        storeId: storeA,
        refundTotal: 11567, // 34700 / 3 = 11566.67
        vatRefund: 1595, // 4786 / 3 = 1595.33
        commissionReversed: 249, // 873 × (29914 / 3) / 34914 = 249.31
        restocked: false,
        refundMethod: 'mpesa',
        reason: 'Damaged packaging',
        lines: [
          {
            id: expect.any(String),
            lineId: milkLine.id,
            productId: milk,
            quantity: 1,
            refund: 11567,
            vat: 1595,
          },
        ],
      });
      expect(new Date(firstReturn.createdAt).toISOString()).toBe(firstReturn.createdAt);
      const afterFirst = await getSale(sale.id);
      expect(afterFirst.status).toBe('partially_returned');
      expect(returnedQuantities(afterFirst)).toEqual([1, 0]);
      expect(afterFirst.commission).toBe(873 - 249);

      const second = await postReturn(manager, sale.id, [
        { lineId: milkLine.id, quantity: 1 },
        { lineId: breadLine.id, quantity: 1 },
      ]);
      expect(second.statusCode).toBe(201);
      expect((await getSale(sale.id)).status).toBe('partially_returned');
      const third = await postReturn(admin, sale.id, [{ lineId: milkLine.id, quantity: 1 }]);
      expect(third.statusCode).toBe(201);

      const returns = [firstReturn, second.json(), third.json()];
      const sum = (key: 'refundTotal' | 'vatRefund' | 'commissionReversed') =>
        returns.reduce((acc, saleReturn) => acc + saleReturn[key], 0);
      expect(sum('refundTotal')).toBe(sale.total);
      expect(sum('vatRefund')).toBe(sale.vatTotal);
      expect(sum('commissionReversed')).toBe(sale.commission);
      const fullyReturned = await getSale(sale.id);
      expect(fullyReturned.status).toBe('returned');
      expect(fullyReturned.commission).toBe(0);
      expect(returnedQuantities(fullyReturned)).toEqual([3, 1]);
    });

    it('returns a line sold at under a cent a unit one unit at a time, never reversing a negative commission', async () => {
      const generous = await seedUser(api, 'cashier', [storeA], { commissionRate: 20 });
      const token = (await login(api, generous.username)).accessToken;
      const sweet = await seedProduct(api, { unitPrice: 100, taxClass: 'standard' });
      // 5 units for 4 cents after the discount, VAT 1, ex VAT 3; commission 20 % × 3 = 0.6.
      const sale = await sell([{ productId: sweet, quantity: 5, discount: 496 }], storeA, token);
      expect(sale).toMatchObject({ total: 4, vatTotal: 1, commission: 1 });

      const returns = [];
      for (let unit = 1; unit <= 5; unit++) {
        const response = await postReturn(manager, sale.id, [
          { lineId: sale.lines[0].id, quantity: 1 },
        ]);
        expect(response.statusCode).toBe(201);
        returns.push(response.json());
      }
      const reversed = returns.map((saleReturn) => saleReturn.commissionReversed);
      expect(Math.min(...reversed)).toBe(0);
      expect(reversed.reduce((acc, value) => acc + value, 0)).toBe(1);
      expect((await getSale(sale.id)).commission).toBe(0);
    });

    it('answers 422 RETURN_EXCEEDS_SALE listing every line asked for more than remains, and writes nothing', async () => {
      const [a, b] = [await seedProduct(api), await seedProduct(api)];
      const sale = await sell([
        { productId: a, quantity: 2 },
        { productId: b, quantity: 1 },
      ]);
      const [lineA, lineB] = sale.lines;
      expect(
        (await postReturn(manager, sale.id, [{ lineId: lineA.id, quantity: 1 }])).statusCode,
      ).toBe(201);
      const before = {
        sale: await getSale(sale.id),
        stockA: await stockOf(api, storeA, a),
        returns: await countReturns(sale.id),
      };

      const response = await postReturn(
        manager,
        sale.id,
        [
          { lineId: lineA.id, quantity: 2 },
          { lineId: lineB.id, quantity: 2 },
        ],
        { restock: true },
      );
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({
        code: 'RETURN_EXCEEDS_SALE',
        details: [
          { lineId: lineA.id, requested: 2, returnable: 1 },
          { lineId: lineB.id, requested: 2, returnable: 1 },
        ],
      });
      expect(await getSale(sale.id)).toEqual(before.sale);
      expect(await stockOf(api, storeA, a)).toEqual(before.stockA);
      expect(await countReturns(sale.id)).toBe(before.returns);
    });
  });

  describe('stock', () => {
    it('restock puts the units back through the ledger, referencing the return', async () => {
      const productId = await seedProduct(api);
      await receiveStock(api, storeA, productId, 7);
      const sale = await sell([{ productId, quantity: 3 }]);
      expect(await stockOf(api, storeA, productId)).toMatchObject({ quantity: 7, ledger: 7 });
      const response = await postReturn(
        manager,
        sale.id,
        [{ lineId: sale.lines[0].id, quantity: 2 }],
        { restock: true },
      );
      expect(response.statusCode).toBe(201);
      expect(response.json().restocked).toBe(true);
      expect(await stockOf(api, storeA, productId)).toMatchObject({ quantity: 9, ledger: 9 });
      const movements = await dataSource.query(
        `SELECT product_id, delta, reason, reference_type, user_id FROM stock_movements WHERE reference_id = $1`,
        [response.json().id],
      );
      expect(movements).toEqual([
        {
          product_id: productId,
          delta: 2,
          reason: 'return',
          reference_type: 'sale_return',
          user_id: expect.any(String),
        },
      ]);
    });

    it('without restock leaves the stock alone', async () => {
      const productId = await seedProduct(api);
      const sale = await sell([{ productId, quantity: 2 }]);
      const before = await stockOf(api, storeA, productId);
      const response = await postReturn(manager, sale.id, [
        { lineId: sale.lines[0].id, quantity: 2 },
      ]);
      expect(response.statusCode).toBe(201);
      expect(response.json().restocked).toBe(false);
      expect(await stockOf(api, storeA, productId)).toEqual(before);
      const movements = await dataSource.query(
        `SELECT id FROM stock_movements WHERE reference_id = $1`,
        [response.json().id],
      );
      expect(movements).toHaveLength(0);
    });
  });

  describe('access and validation', () => {
    it('refuses cashiers (403), hides other stores’ and unknown sales (404)', async () => {
      const productId = await seedProduct(api);
      const sale = await sell([{ productId, quantity: 1 }]);
      const items = [{ lineId: sale.lines[0].id, quantity: 1 }];
      const asCashier = await postReturn(cashier, sale.id, items);
      expect(asCashier.statusCode).toBe(403);
      expect(asCashier.json().code).toBe('FORBIDDEN');
      const asOtherManager = await postReturn(managerB, sale.id, items);
      expect(asOtherManager.statusCode).toBe(404);
      expect(asOtherManager.json().code).toBe('NOT_FOUND');
      const unknown = await postReturn(manager, randomUUID(), items);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().code).toBe('NOT_FOUND');
      expect((await postReturn(manager, 'not-a-uuid', items)).statusCode).toBe(400);
      const anonymous = await api.request({
        method: 'POST',
        url: `/api/v1/sales/${sale.id}/returns`,
        payload: {},
      });
      expect(anonymous.statusCode).toBe(401);
      expect(await countReturns(sale.id)).toBe(0);
    });

    it('a manager with no stores gets 404 NOT_FOUND for any sale, and nothing is returned', async () => {
      const productId = await seedProduct(api);
      const sale = await sell([{ productId, quantity: 2 }]);
      const storeless = (await signedIn(api, 'manager', [])).token;
      const response = await postReturn(storeless, sale.id, [
        { lineId: sale.lines[0].id, quantity: 1 },
      ]);
      expect(response.statusCode).toBe(404);
      expect(response.json().code).toBe('NOT_FOUND');
      expect(await countReturns(sale.id)).toBe(0);
      expect(returnedQuantities(await getSale(sale.id))).toEqual([0]);
    });

    it('an admin may return a sale of any store', async () => {
      const productId = await seedProduct(api);
      const seller = await signedIn(api, 'cashier', [storeB]);
      const sale = await sell([{ productId, quantity: 1 }], storeB, seller.token);
      const response = await postReturn(admin, sale.id, [
        { lineId: sale.lines[0].id, quantity: 1 },
      ]);
      expect(response.statusCode).toBe(201);
      expect(response.json().storeId).toBe(storeB);
    });

    it('validates the request with a field for each problem', async () => {
      const productId = await seedProduct(api);
      const sale = await sell([{ productId, quantity: 2 }]);
      const other = await sell([{ productId: await seedProduct(api), quantity: 1 }]);
      const lineId = sale.lines[0].id;
      const cases: [Record<string, unknown>, string][] = [
        [{ items: [] }, 'items'],
        [{ items: [{ lineId: other.lines[0].id, quantity: 1 }] }, 'items.0.lineId'],
        [{ items: [{ lineId: randomUUID(), quantity: 1 }] }, 'items.0.lineId'],
        [
          {
            items: [
              { lineId, quantity: 1 },
              { lineId, quantity: 1 },
            ],
          },
          'items.1.lineId',
        ],
        [{ items: [{ lineId, quantity: 0 }] }, 'items.0.quantity'],
        [{ items: [{ lineId, quantity: 1.5 }] }, 'items.0.quantity'],
        [{ reason: '   ' }, 'reason'],
        [{ reason: 'x'.repeat(201) }, 'reason'],
        [{ reason: undefined }, 'reason'],
        [{ restock: 'yes' }, 'restock'],
        [{ restock: undefined }, 'restock'],
        [{ refundMethod: 'bitcoin' }, 'refundMethod'],
        [{ refund: 100 }, 'refund'],
      ];
      for (const [overrides, field] of cases) {
        const { items, ...rest } = overrides;
        const response = await postReturn(
          manager,
          sale.id,
          (items as ReturnItem[]) ?? [{ lineId, quantity: 1 }],
          rest,
        );
        expect({ field, status: response.statusCode }).toEqual({ field, status: 400 });
        expect(response.json().code).toBe('VALIDATION_FAILED');
        expect(response.json().details.map((detail: { field: string }) => detail.field)).toContain(
          field,
        );
      }
      expect(await countReturns(sale.id)).toBe(0);
      expect((await getSale(sale.id)).status).toBe('completed');
    });

    it('records sale.returned in the audit log with the return', async () => {
      const productId = await seedProduct(api);
      const sale = await sell([{ productId, quantity: 1 }]);
      const response = await postReturn(
        manager,
        sale.id,
        [{ lineId: sale.lines[0].id, quantity: 1 }],
        { restock: true },
      );
      expect(response.statusCode).toBe(201);
      const entries = await dataSource.query(
        `SELECT entity_type, store_id, details FROM audit_logs WHERE action = 'sale.returned' AND entity_id = $1`,
        [sale.id],
      );
      expect(entries).toEqual([
        {
          entity_type: 'sale',
          store_id: storeA,
          details: expect.objectContaining({
            returnId: response.json().id,
            refundTotal: sale.total,
            restock: true,
            lines: [{ lineId: sale.lines[0].id, quantity: 1, refund: sale.total }],
          }),
        },
      ]);
    });
  });

  it('two concurrent returns of the last unit of a line: exactly one succeeds, the other gets 422', async () => {
    const productId = await seedProduct(api);
    const sale = await sell([{ productId, quantity: 1 }]);
    const items = [{ lineId: sale.lines[0].id, quantity: 1 }];
    const responses = await whileLocked(
      dataSource,
      `SELECT id FROM sales WHERE id = $1 FOR UPDATE`,
      [sale.id],
      2,
      () =>
        Promise.all([
          postReturn(manager, sale.id, items, { restock: true }),
          postReturn(admin, sale.id, items, { restock: true }),
        ]),
    );

    expect(responses.map((response) => response.statusCode).sort()).toEqual([201, 422]);
    expect(responses.find((response) => response.statusCode === 422)?.json().code).toBe(
      'RETURN_EXCEEDS_SALE',
    );
    expect(await countReturns(sale.id)).toBe(1);
    expect(returnedQuantities(await getSale(sale.id))).toEqual([1]);
    expect(await stockOf(api, storeA, productId)).toMatchObject({ quantity: 1, ledger: 1 });
  });

  describe('with an Idempotency-Key (a retry on a bad line refunds once)', () => {
    const restocked = { restock: true };

    it('the same key and body again answers the return already made, once refunded and restocked', async () => {
      const milk = await seedProduct(api);
      const bread = await seedProduct(api);
      const sale = await sell([
        { productId: milk, quantity: 3 },
        { productId: bread, quantity: 2 },
      ]);
      const items = [
        { lineId: sale.lines[1].id, quantity: 1 },
        { lineId: sale.lines[0].id, quantity: 1 },
      ];
      const key = randomUUID();
      const first = await postReturn(manager, sale.id, items, restocked, key);
      expect(first.statusCode).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await postReturn(manager, sale.id, items, restocked, key);
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json()).toEqual(first.json());

      expect(await countReturns(sale.id)).toBe(1);
      expect(returnedQuantities(await getSale(sale.id))).toEqual([1, 1]);
      expect(await stockOf(api, storeA, milk)).toMatchObject({ quantity: 1, ledger: 1 });
      const [{ audits }] = await dataSource.query(
        `SELECT count(*)::int AS audits FROM audit_logs WHERE action = 'sale.returned' AND entity_id = $1`,
        [sale.id],
      );
      expect(audits).toBe(1);
      // Without a key, the same body is a second return (the header is optional, as API.md has it).
      expect((await postReturn(manager, sale.id, items, restocked)).statusCode).toBe(201);
      expect(await countReturns(sale.id)).toBe(2);
    });

    it('two concurrent requests with one key make one return', async () => {
      const productId = await seedProduct(api);
      const sale = await sell([{ productId, quantity: 5 }]);
      const items = [{ lineId: sale.lines[0].id, quantity: 2 }];
      const key = randomUUID();
      // Both wait: the first holds the key and waits for the sale, the second waits for the key.
      const responses = await whileLocked(
        dataSource,
        `SELECT id FROM sales WHERE id = $1 FOR UPDATE`,
        [sale.id],
        2,
        () =>
          Promise.all([
            postReturn(manager, sale.id, items, restocked, key),
            postReturn(manager, sale.id, items, restocked, key),
          ]),
      );
      expect(responses.map((response) => response.statusCode)).toEqual([201, 201]);
      expect(responses.map((response) => response.headers['idempotent-replayed']).sort()).toEqual([
        'true',
        undefined,
      ]);
      expect(responses[0].json().id).toBe(responses[1].json().id);
      expect(await countReturns(sale.id)).toBe(1);
      expect(await stockOf(api, storeA, productId)).toMatchObject({ quantity: 2, ledger: 2 });
    });

    it('refuses the key with another body, another sale or a sale’s key (422 IDEMPOTENCY_KEY_REUSED)', async () => {
      const productId = await seedProduct(api);
      const sale = await sell([{ productId, quantity: 4 }]);
      const other = await sell([{ productId, quantity: 1 }]);
      const key = randomUUID();
      const items = [{ lineId: sale.lines[0].id, quantity: 1 }];
      expect((await postReturn(manager, sale.id, items, {}, key)).statusCode).toBe(201);

      const refusals = [
        await postReturn(manager, sale.id, [{ lineId: sale.lines[0].id, quantity: 2 }], {}, key),
        await postReturn(manager, sale.id, items, { reason: 'Another reason' }, key),
        await postReturn(manager, other.id, [{ lineId: other.lines[0].id, quantity: 1 }], {}, key),
      ];
      // A key a sale was made with is no return's key.
      const saleKey = randomUUID();
      await receiveStock(api, storeA, productId, 1);
      expect(
        (
          await postSale(
            api,
            manager,
            { storeId: storeA, items: [{ productId, quantity: 1 }] },
            saleKey,
          )
        ).statusCode,
      ).toBe(201);
      refusals.push(await postReturn(manager, sale.id, items, {}, saleKey));
      for (const refused of refusals) {
        expect(refused.statusCode).toBe(422);
        expect(refused.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
      }
      expect(await countReturns(sale.id)).toBe(1);
      expect(await countReturns(other.id)).toBe(0);
    });

    it('a return that failed keeps no key, and an empty or over-long key is refused (400)', async () => {
      const productId = await seedProduct(api);
      const sale = await sell([{ productId, quantity: 1 }]);
      const key = randomUUID();
      const units = (quantity: number) => [{ lineId: sale.lines[0].id, quantity }];
      const tooMany = await postReturn(manager, sale.id, units(2), {}, key);
      expect(tooMany.json().code).toBe('RETURN_EXCEEDS_SALE');
      const valid = await postReturn(manager, sale.id, units(1), {}, key);
      expect(valid.statusCode).toBe(201);
      expect(valid.headers['idempotent-replayed']).toBeUndefined();

      for (const badKey of ['', 'k'.repeat(256)]) {
        const refused = await postReturn(manager, sale.id, units(1), {}, badKey);
        expect(refused.statusCode).toBe(400);
        expect(refused.json()).toMatchObject({
          code: 'VALIDATION_FAILED',
          details: [{ field: 'Idempotency-Key', problems: [expect.any(String)] }],
        });
      }
    });
  });
});
