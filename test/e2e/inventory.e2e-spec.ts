import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { bearer, seedStore, signedIn } from '../support/auth';
import { seedProduct, stockOf } from '../support/catalog';
import { whileLocked } from '../support/pg-activity';

describe('inventory', () => {
  let api: TestApp;
  let storeA: string;
  let storeB: string;
  let admin: string;
  let manager: string;
  let cashier: string;
  let managerB: string;

  beforeAll(async () => {
    api = await startTestApp();
    storeA = await seedStore(api);
    storeB = await seedStore(api);
    admin = (await signedIn(api, 'admin')).token;
    manager = (await signedIn(api, 'manager', [storeA])).token;
    cashier = (await signedIn(api, 'cashier', [storeA])).token;
    managerB = (await signedIn(api, 'manager', [storeB])).token;
  });
  afterAll(() => api.close());

  /** The product's row in store A's low-stock list, as its manager sees it. */
  const lowStockRowOf = async (productId: string) => {
    const listed = await api.request({
      method: 'GET',
      url: `/api/v1/stores/${storeA}/inventory?lowStock=true&pageSize=200`,
      headers: bearer(manager),
    });
    return listed.json().data.find((row: { productId: string }) => row.productId === productId);
  };

  const adjust = (token: string, storeId: string, payload: object) =>
    api.request({
      method: 'POST',
      url: `/api/v1/stores/${storeId}/inventory/adjustments`,
      headers: bearer(token),
      payload,
    });

  describe('adjustments', () => {
    it('adds stock by delta and sets it by count, each with a ledger row and an audit entry', async () => {
      const productId = await seedProduct(api);
      const received = await adjust(manager, storeA, {
        productId,
        delta: 10,
        reason: 'receiving',
        note: 'GRN 1',
      });
      expect(received.statusCode).toBe(201);
      expect(received.json()).toMatchObject({
        productId,
        previousQuantity: 0,
        quantity: 10,
        movementId: expect.any(String),
      });
      const counted = await adjust(manager, storeA, {
        productId,
        countedQuantity: 7,
        reason: 'count',
      });
      expect(counted.json()).toMatchObject({ previousQuantity: 10, quantity: 7 });
      expect(await stockOf(api, storeA, productId)).toEqual({
        quantity: 7,
        ledger: 7,
        movements: 2,
      });
      const audits = await api.app
        .get(DataSource)
        .query(
          `SELECT details FROM audit_logs WHERE action = 'inventory.adjusted' AND details->>'productId' = $1`,
          [productId],
        );
      expect(audits).toHaveLength(2);
      expect(audits.map((row: { details: { delta: number } }) => row.details.delta).sort()).toEqual(
        [-3, 10],
      );
    });

    it('refuses to go below zero with 409 INSUFFICIENT_STOCK and writes nothing', async () => {
      const productId = await seedProduct(api);
      await adjust(manager, storeA, { productId, delta: 2, reason: 'receiving' });
      const response = await adjust(manager, storeA, { productId, delta: -3, reason: 'damage' });
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        details: [{ productId, requested: 3, available: 2 }],
      });
      expect(await stockOf(api, storeA, productId)).toEqual({
        quantity: 2,
        ledger: 2,
        movements: 1,
      });
    });

    it('validates: exactly one of delta or countedQuantity, non-zero delta, known reason, integers', async () => {
      const productId = await seedProduct(api);
      for (const payload of [
        { productId, reason: 'count' },
        { productId, delta: 1, countedQuantity: 1, reason: 'count' },
        { productId, delta: 0, reason: 'correction' },
        { productId, delta: 1.5, reason: 'receiving' },
        { productId, countedQuantity: -1, reason: 'count' },
        { productId, delta: 1, reason: 'gift' },
        { productId: 'not-a-uuid', delta: 1, reason: 'receiving' },
      ]) {
        const response = await adjust(manager, storeA, payload);
        expect(response.statusCode).toBe(400);
        expect(response.json().code).toBe('VALIDATION_FAILED');
      }
    });

    it('names a path parameter that is not a UUID: 400 VALIDATION_FAILED', async () => {
      const response = await api.request({
        method: 'PATCH',
        url: `/api/v1/stores/not-a-store/inventory/${randomUUID()}`,
        headers: bearer(manager),
        payload: { reorderLevel: 3 },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ field: 'storeId', problems: ['storeId must be a UUID'] }],
      });
      const badProduct = await api.request({
        method: 'PATCH',
        url: `/api/v1/stores/${storeA}/inventory/42`,
        headers: bearer(manager),
        payload: { reorderLevel: 3 },
      });
      expect(badProduct.json().details).toEqual([
        { field: 'productId', problems: ['productId must be a UUID'] },
      ]);
    });

    it('refuses stock beyond what a quantity column holds with 400, and writes nothing', async () => {
      const productId = await seedProduct(api);
      const big = { productId, delta: 1_000_000_000, reason: 'receiving' };
      expect((await adjust(manager, storeA, big)).statusCode).toBe(201);
      expect((await adjust(manager, storeA, big)).statusCode).toBe(201);
      const third = await adjust(manager, storeA, big);
      expect(third.statusCode).toBe(400);
      expect(third.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ field: 'quantity', problems: [expect.stringMatching(/exceed 2147483647/)] }],
      });
      expect(await stockOf(api, storeA, productId)).toMatchObject({
        quantity: 2_000_000_000,
        movements: 2,
      });
    });

    it('an unknown product → 404 NOT_FOUND, by delta and by count, and writes nothing', async () => {
      const productId = randomUUID();
      for (const payload of [
        { productId, delta: 1, reason: 'receiving' },
        { productId, countedQuantity: 4, reason: 'count' },
      ]) {
        const response = await adjust(manager, storeA, payload);
        expect({ payload, status: response.statusCode }).toEqual({ payload, status: 404 });
        expect(response.json().code).toBe('NOT_FOUND');
      }
      expect(await stockOf(api, storeA, productId)).toEqual({
        quantity: 0,
        ledger: 0,
        movements: 0,
      });
    });

    it('an admin adjusting at a store that does not exist → 404 NOT_FOUND', async () => {
      const productId = await seedProduct(api);
      const store = randomUUID();
      for (const payload of [
        { productId, delta: 1, reason: 'receiving' },
        { productId, countedQuantity: 4, reason: 'count' },
      ]) {
        const response = await adjust(admin, store, payload);
        expect({ payload, status: response.statusCode }).toEqual({ payload, status: 404 });
        expect(response.json().code).toBe('NOT_FOUND');
      }
      expect(await stockOf(api, store, productId)).toEqual({
        quantity: 0,
        ledger: 0,
        movements: 0,
      });
    });

    it('keeps the ledger equal to the quantity through a random mix of adjustments', async () => {
      const productId = await seedProduct(api);
      let expected = 0;
      for (let i = 0; i < 40; i++) {
        const useCount = i % 7 === 3;
        const payload = useCount
          ? { productId, countedQuantity: Math.floor(Math.random() * 30), reason: 'count' }
          : { productId, delta: Math.floor(Math.random() * 21) - 10 || 1, reason: 'correction' };
        const response = await adjust(manager, storeA, payload);
        if (response.statusCode === 201) expected = response.json().quantity;
        else {
          expect(response.statusCode).toBe(409);
          expect(response.json().code).toBe('INSUFFICIENT_STOCK');
        }
      }
      const stock = await stockOf(api, storeA, productId);
      expect(stock.quantity).toBe(expected);
      expect(stock.ledger).toBe(stock.quantity);
    });

    it('a burst of counts beyond the pool’s size all apply: a count holds one connection, never two', async () => {
      // The test app's pool has 5 connections.
      const products = await Promise.all(Array.from({ length: 15 }, () => seedProduct(api)));
      const responses = await Promise.all(
        products.map((productId) =>
          adjust(manager, storeA, { productId, countedQuantity: 3, reason: 'count' }),
        ),
      );
      expect(responses.map((response) => response.statusCode)).toEqual(products.map(() => 201));
      for (const productId of products) {
        expect(await stockOf(api, storeA, productId)).toMatchObject({ quantity: 3, ledger: 3 });
      }
    });

    it('concurrent adjustments on one product never oversell and keep the ledger equal', async () => {
      const productId = await seedProduct(api);
      await adjust(manager, storeA, { productId, delta: 10, reason: 'receiving' });
      const results = await Promise.all(
        Array.from({ length: 25 }, () =>
          adjust(manager, storeA, { productId, delta: -1, reason: 'damage' }),
        ),
      );
      const codes = results.map((result) => result.statusCode);
      expect(codes.filter((code) => code === 201)).toHaveLength(10);
      const refused = results.filter((result) => result.statusCode === 409);
      expect(refused).toHaveLength(15);
      expect(refused.map((result) => result.json().code)).toEqual(
        refused.map(() => 'INSUFFICIENT_STOCK'),
      );
      expect(await stockOf(api, storeA, productId)).toEqual({
        quantity: 0,
        ledger: 0,
        movements: 11,
      });
    });
  });

  describe('roles and store scoping', () => {
    it('a cashier cannot adjust stock or set reorder levels (403) but can see their store’s stock and ledger', async () => {
      const productId = await seedProduct(api, { reorderLevel: 1 });
      await adjust(manager, storeA, { productId, delta: 2, reason: 'receiving' });
      for (const payload of [
        { productId, delta: 1, reason: 'receiving' },
        { productId, countedQuantity: 9, reason: 'count' },
      ]) {
        const denied = await adjust(cashier, storeA, payload);
        expect(denied.statusCode).toBe(403);
        expect(denied.json().code).toBe('FORBIDDEN');
      }
      expect(await stockOf(api, storeA, productId)).toEqual({
        quantity: 2,
        ledger: 2,
        movements: 1,
      });
      const patch = await api.request({
        method: 'PATCH',
        url: `/api/v1/stores/${storeA}/inventory/${productId}`,
        headers: bearer(cashier),
        payload: { reorderLevel: 3 },
      });
      expect(patch.statusCode).toBe(403);
      expect(patch.json().code).toBe('FORBIDDEN');
      // The product's own level still applies at A.
      const [row] = await api.app
        .get(DataSource)
        .query(`SELECT reorder_level FROM inventory WHERE store_id = $1 AND product_id = $2`, [
          storeA,
          productId,
        ]);
      expect(row.reorder_level).toBeNull();
      expect(
        (
          await api.request({
            method: 'GET',
            url: `/api/v1/stores/${storeA}/inventory`,
            headers: bearer(cashier),
          })
        ).statusCode,
      ).toBe(200);
      expect(
        (
          await api.request({
            method: 'GET',
            url: `/api/v1/stores/${storeA}/stock-movements`,
            headers: bearer(cashier),
          })
        ).statusCode,
      ).toBe(200);
      expect(
        (
          await api.request({
            method: 'GET',
            url: `/api/v1/stores/${storeB}/stock-movements`,
            headers: bearer(cashier),
          })
        ).statusCode,
      ).toBe(404);
    });

    it('staff of another store get 404 on every inventory endpoint; admin may act anywhere', async () => {
      const productId = await seedProduct(api);
      await adjust(manager, storeA, { productId, delta: 2, reason: 'receiving' });
      for (const payload of [
        { productId, delta: 1, reason: 'receiving' },
        { productId, countedQuantity: 9, reason: 'count' },
      ]) {
        const response = await adjust(managerB, storeA, payload);
        expect(response.statusCode).toBe(404);
        expect(response.json().code).toBe('NOT_FOUND');
      }
      expect(await stockOf(api, storeA, productId)).toEqual({
        quantity: 2,
        ledger: 2,
        movements: 1,
      });
      const cashierB = (await signedIn(api, 'cashier', [storeB])).token;
      for (const [who, token] of [
        ['manager of B', managerB],
        ['cashier of B', cashierB],
      ]) {
        for (const url of [
          `/api/v1/stores/${storeA}/inventory`,
          `/api/v1/stores/${storeA}/stock-movements`,
          `/api/v1/stores/${storeA}/inventory?format=csv`,
          `/api/v1/stores/${storeA}/stock-movements?format=csv`,
        ]) {
          const response = await api.request({ method: 'GET', url, headers: bearer(token) });
          expect({ who, url, status: response.statusCode }).toEqual({ who, url, status: 404 });
          expect(response.headers['content-type']).toMatch(/^application\/json/);
          expect(response.json().code).toBe('NOT_FOUND');
        }
      }
      const patch = await api.request({
        method: 'PATCH',
        url: `/api/v1/stores/${storeA}/inventory/${productId}`,
        headers: bearer(managerB),
        payload: { reorderLevel: 3 },
      });
      expect(patch.statusCode).toBe(404);
      expect(patch.json().code).toBe('NOT_FOUND');
      const [level] = await api.app
        .get(DataSource)
        .query(`SELECT reorder_level FROM inventory WHERE store_id = $1 AND product_id = $2`, [
          storeA,
          productId,
        ]);
      expect(level.reorder_level).toBeNull();
      expect(
        (await adjust(admin, storeA, { productId, delta: 1, reason: 'receiving' })).statusCode,
      ).toBe(201);
      expect(
        (await api.request({ method: 'GET', url: `/api/v1/stores/${storeA}/inventory` }))
          .statusCode,
      ).toBe(401);
    });
  });

  describe('listing', () => {
    it('shows every active product with its quantity (0 until stock arrives) and flags low stock', async () => {
      const store = await seedStore(api);
      const plenty = await seedProduct(api, { name: 'Zz plenty', reorderLevel: 2 });
      const low = await seedProduct(api, { name: 'Zz low', reorderLevel: 5 });
      await adjust(admin, store, { productId: plenty, delta: 50, reason: 'receiving' });
      await adjust(admin, store, { productId: low, delta: 3, reason: 'receiving' });
      const all = (
        await api.request({
          method: 'GET',
          url: `/api/v1/stores/${store}/inventory?search=zz&pageSize=200`,
          headers: bearer(admin),
        })
      ).json();
      expect(all.data).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            productId: plenty,
            quantity: 50,
            reorderLevel: 2,
            lowStock: false,
          }),
          expect.objectContaining({ productId: low, quantity: 3, reorderLevel: 5, lowStock: true }),
        ]),
      );
      const lowOnly = (
        await api.request({
          method: 'GET',
          url: `/api/v1/stores/${store}/inventory?lowStock=true&search=zz`,
          headers: bearer(admin),
        })
      ).json();
      expect(lowOnly.data.map((row: { productId: string }) => row.productId)).toEqual([low]);
    });

    it('a store-level reorder level overrides the product default', async () => {
      const productId = await seedProduct(api, { reorderLevel: 1 });
      const response = await api.request({
        method: 'PATCH',
        url: `/api/v1/stores/${storeA}/inventory/${productId}`,
        headers: bearer(manager),
        payload: { reorderLevel: 4 },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        productId,
        reorderLevel: 4,
        quantity: 0,
        lowStock: true,
      });
    });

    it('null clears a store-level reorder level: the product default applies again', async () => {
      const productId = await seedProduct(api, { reorderLevel: 2 });
      await adjust(manager, storeA, { productId, delta: 3, reason: 'receiving' });
      const level = (reorderLevel: number | null) =>
        api.request({
          method: 'PATCH',
          url: `/api/v1/stores/${storeA}/inventory/${productId}`,
          headers: bearer(manager),
          payload: { reorderLevel },
        });
      expect((await level(5)).json()).toMatchObject({ reorderLevel: 5, lowStock: true });
      const cleared = await level(null);
      expect(cleared.statusCode).toBe(200);
      expect(cleared.json()).toMatchObject({ quantity: 3, reorderLevel: 2, lowStock: false });
      // It follows the product's default from now on.
      await api.request({
        method: 'PATCH',
        url: `/api/v1/products/${productId}`,
        headers: bearer(admin),
        payload: { reorderLevel: 4 },
      });
      expect(await lowStockRowOf(productId)).toMatchObject({
        quantity: 3,
        reorderLevel: 4,
        lowStock: true,
      });
      for (const payload of [{}, { reorderLevel: -1 }, { reorderLevel: 'none' }]) {
        const refused = await api.request({
          method: 'PATCH',
          url: `/api/v1/stores/${storeA}/inventory/${productId}`,
          headers: bearer(manager),
          payload,
        });
        expect(refused.statusCode).toBe(400);
      }
      // The audit shows each level before and after, and the one that applied then.
      const audits = await api.app.get(DataSource).query(
        `SELECT details FROM audit_logs
          WHERE action = 'inventory.reorder_level_changed' AND entity_id = $1 AND store_id = $2
          ORDER BY occurred_at, id`,
        [productId, storeA],
      );
      expect(audits.map((audit: { details: unknown }) => audit.details)).toEqual([
        { from: null, reorderLevel: 5, applies: 5 },
        { from: 5, reorderLevel: null, applies: 2 },
      ]);
    });

    it('two first reorder levels at once: the second one’s audit names the first as its `from`', async () => {
      const productId = await seedProduct(api, { reorderLevel: 1 });
      const level = (reorderLevel: number) =>
        api.request({
          method: 'PATCH',
          url: `/api/v1/stores/${storeA}/inventory/${productId}`,
          headers: bearer(manager),
          payload: { reorderLevel },
        });
      // The store's row for the product appears (uncommitted) while both requests start.
      const responses = await whileLocked(
        api.app.get(DataSource),
        `INSERT INTO inventory (store_id, product_id, quantity) VALUES ($1, $2, 0)`,
        [storeA, productId],
        2,
        () => Promise.all([level(5), level(8)]),
      );
      expect(responses.map((response) => response.statusCode)).toEqual([200, 200]);
      const audits: { details: { from: number | null; reorderLevel: number } }[] = await api.app
        .get(DataSource)
        .query(
          `SELECT details FROM audit_logs
            WHERE action = 'inventory.reorder_level_changed' AND entity_id = $1
            ORDER BY occurred_at, id`,
          [productId],
        );
      // In whichever order they committed (occurred_at is when each began).
      const details = audits.map((audit) => audit.details);
      expect(details).toHaveLength(2);
      const first = details.find((entry) => entry.from === null);
      const second = details.find((entry) => entry !== first);
      expect(second?.from).toBe(first?.reorderLevel);
    });

    it('lists a product taken off sale while the store still holds some, not once it holds none', async () => {
      const store = await seedStore(api);
      const held = await seedProduct(api, { name: 'Yy held' });
      const gone = await seedProduct(api, { name: 'Yy gone' });
      await adjust(admin, store, { productId: held, delta: 7, reason: 'receiving' });
      for (const productId of [held, gone]) {
        const off = await api.request({
          method: 'PATCH',
          url: `/api/v1/products/${productId}`,
          headers: bearer(admin),
          payload: { active: false },
        });
        expect(off.statusCode).toBe(200);
      }
      const listed = await api.request({
        method: 'GET',
        url: `/api/v1/stores/${store}/inventory?search=yy`,
        headers: bearer(admin),
      });
      expect(listed.json()).toMatchObject({
        total: 1,
        data: [{ productId: held, quantity: 7 }],
      });
    });

    it('a store-level reorder level decides the low-stock flag and the alert, over the product’s', async () => {
      const productId = await seedProduct(api, { reorderLevel: 1 });
      const level = await api.request({
        method: 'PATCH',
        url: `/api/v1/stores/${storeA}/inventory/${productId}`,
        headers: bearer(manager),
        payload: { reorderLevel: 4 },
      });
      expect(level.statusCode).toBe(200);
      await adjust(manager, storeA, { productId, delta: 6, reason: 'receiving' });
      await adjust(manager, storeA, { productId, delta: -3, reason: 'damage' }); // 3: at or below 4
      expect(await lowStockRowOf(productId)).toMatchObject({
        quantity: 3,
        reorderLevel: 4,
        lowStock: true,
      });
      const alerts = await api.app
        .get(DataSource)
        .query(
          `SELECT payload FROM outbox WHERE type = 'low_stock' AND payload->>'productId' = $1`,
          [productId],
        );
      expect(alerts.map((row: { payload: object }) => row.payload)).toEqual([
        expect.objectContaining({ storeId: storeA, quantity: 3, reorderLevel: 4 }),
      ]);
    });

    it('exports inventory and the ledger as CSV', async () => {
      const productId = await seedProduct(api, { name: '=cmd|calc, "quoted"' });
      await adjust(manager, storeA, {
        productId,
        delta: 4,
        reason: 'receiving',
        note: 'Delivery note 4411',
      });
      const csv = await api.request({
        method: 'GET',
        url: `/api/v1/stores/${storeA}/inventory?format=csv&search=cmd`,
        headers: bearer(manager),
      });
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.headers['content-disposition']).toMatch(/attachment; filename="inventory.csv"/);
      const lines = csv.body.trim().split('\r\n');
      expect(lines[0]).toBe('productId,sku,name,quantity,reorderLevel,lowStock');
      expect(lines[1]).toContain(`"'=cmd|calc, ""quoted"""`);
      const ledger = await api.request({
        method: 'GET',
        url: `/api/v1/stores/${storeA}/stock-movements?format=csv&productId=${productId}`,
        headers: bearer(manager),
      });
      const ledgerLines = ledger.body.trim().split('\r\n');
      expect(ledgerLines).toHaveLength(2);
      expect(ledgerLines[0]).toBe(
        'id,productId,delta,quantityAfter,reason,referenceType,referenceId,userId,note,createdAt',
      );
      expect(ledgerLines[1]).toContain(',Delivery note 4411,');
      const json = (
        await api.request({
          method: 'GET',
          url: `/api/v1/stores/${storeA}/stock-movements?productId=${productId}`,
          headers: bearer(manager),
        })
      ).json();
      expect(json).toMatchObject({
        total: 1,
        data: [
          {
            productId,
            delta: 4,
            quantityAfter: 4,
            reason: 'receiving',
            referenceType: 'adjustment',
            note: 'Delivery note 4411',
          },
        ],
      });
    });
  });
});
