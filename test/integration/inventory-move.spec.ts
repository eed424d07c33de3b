import { DataSource } from 'typeorm';
import { DomainError } from '../../src/common/errors/domain-error';
import { InventoryService } from '../../src/modules/inventory/inventory.service';
import type { StockMoveLine } from '../../src/modules/inventory/stock-move';
import { startTestApp, TestApp } from '../support/app';
import { seedStore } from '../support/auth';
import { seedProduct, stockOf } from '../support/catalog';

describe('InventoryService.move', () => {
  let api: TestApp;
  let dataSource: DataSource;
  let inventory: InventoryService;
  let storeId: string;

  beforeAll(async () => {
    api = await startTestApp();
    dataSource = api.app.get(DataSource);
    inventory = api.app.get(InventoryService);
    storeId = await seedStore(api);
  });
  afterAll(() => api.close());

  const move = (lines: StockMoveLine[], reason: 'sale' | 'receiving' = 'sale') =>
    dataSource.transaction((manager) =>
      inventory.move(manager, { storeId, reason, lines, referenceType: 'test' }),
    );

  const outboxRows = async (productId: string) =>
    dataSource.query(
      `SELECT payload FROM outbox WHERE type = 'low_stock' AND payload->>'productId' = $1 ORDER BY created_at`,
      [productId],
    );

  it('refuses to run outside a transaction', async () => {
    await expect(
      inventory.move(dataSource.manager, { storeId, reason: 'sale', lines: [] }),
    ).rejects.toThrow(/open transaction/);
  });

  it('lists every short line in INSUFFICIENT_STOCK and moves nothing', async () => {
    const [a, b, c] = [await seedProduct(api), await seedProduct(api), await seedProduct(api)];
    await move(
      [
        { productId: a, delta: 5 },
        { productId: b, delta: 1 },
        { productId: c, delta: 9 },
      ],
      'receiving',
    );
    const error = await move([
      { productId: a, delta: -6 },
      { productId: b, delta: -1 },
      { productId: c, delta: -10 },
    ]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('INSUFFICIENT_STOCK');
    expect((error as DomainError).details).toEqual(
      expect.arrayContaining([
        { productId: a, requested: 6, available: 5 },
        { productId: c, requested: 10, available: 9 },
      ]),
    );
    expect((error as DomainError).details).toHaveLength(2);
    expect(await stockOf(api, storeId, a)).toMatchObject({ quantity: 5, ledger: 5 });
    expect(await stockOf(api, storeId, b)).toMatchObject({ quantity: 1, ledger: 1 });
  });

  it('merges duplicate lines of one product', async () => {
    const productId = await seedProduct(api);
    await move(
      [
        { productId, delta: 3 },
        { productId, delta: 4 },
      ],
      'receiving',
    );
    expect(await stockOf(api, storeId, productId)).toEqual({
      quantity: 7,
      ledger: 7,
      movements: 1,
    });
  });

  it('writes one outbox row per crossing of the reorder level, none while it stays below, one again after restocking', async () => {
    const productId = await seedProduct(api, { reorderLevel: 5 });
    await move([{ productId, delta: 8 }], 'receiving');
    await move([{ productId, delta: -2 }]); // 6: still above
    expect(await outboxRows(productId)).toHaveLength(0);
    const [crossing] = await move([{ productId, delta: -2 }]); // 4: crossed
    expect(crossing.crossedReorderLevel).toBe(true);
    await move([{ productId, delta: -1 }]); // 3: stays below
    await move([{ productId, delta: -3 }]); // 0: stays below
    expect(await outboxRows(productId)).toEqual([
      {
        payload: {
          storeId,
          productId,
          quantity: 4,
          reorderLevel: 5,
          movementId: crossing.movementId,
        },
      },
    ]);
    await move([{ productId, delta: 10 }], 'receiving'); // 10: above again
    await move([{ productId, delta: -5 }]); // 5: at the level → crossed again
    expect(await outboxRows(productId)).toHaveLength(2);
  });

  it('a rolled-back move leaves no ledger row and no outbox row', async () => {
    const productId = await seedProduct(api, { reorderLevel: 5 });
    await move([{ productId, delta: 6 }], 'receiving');
    await expect(
      dataSource.transaction(async (manager) => {
        await inventory.move(manager, {
          storeId,
          reason: 'sale',
          lines: [{ productId, delta: -3 }],
        });
        throw new Error('the sale failed later');
      }),
    ).rejects.toThrow('the sale failed later');
    expect(await stockOf(api, storeId, productId)).toEqual({
      quantity: 6,
      ledger: 6,
      movements: 1,
    });
    expect(await outboxRows(productId)).toHaveLength(0);
  });

  it('concurrent multi-line moves in opposite orders neither deadlock nor oversell', async () => {
    const [a, b] = [await seedProduct(api), await seedProduct(api)];
    await move(
      [
        { productId: a, delta: 30 },
        { productId: b, delta: 30 },
      ],
      'receiving',
    );
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        move(
          i % 2 === 0
            ? [
                { productId: a, delta: -1 },
                { productId: b, delta: -1 },
              ]
            : [
                { productId: b, delta: -1 },
                { productId: a, delta: -1 },
              ],
        ),
      ),
    );
    const rejected = outcomes.filter(
      (outcome) => outcome.status === 'rejected',
    ) as PromiseRejectedResult[];
    expect(
      rejected.every((outcome) => (outcome.reason as DomainError).code === 'INSUFFICIENT_STOCK'),
    ).toBe(true);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(30);
    expect(await stockOf(api, storeId, a)).toMatchObject({ quantity: 0, ledger: 0 });
    expect(await stockOf(api, storeId, b)).toMatchObject({ quantity: 0, ledger: 0 });
  });

  it('dates a movement when it was applied, so the ledger lists a product’s movements in the order of their quantities', async () => {
    const productId = await seedProduct(api);
    await move([{ productId, delta: 10 }], 'receiving');
    const early = dataSource.createQueryRunner();
    await early.connect();
    try {
      await early.startTransaction();
      await early.query('SELECT 1'); // the transaction's now() is fixed from here
      await move([{ productId, delta: -1 }]);
      await inventory.move(early.manager, {
        storeId,
        reason: 'sale',
        lines: [{ productId, delta: -2 }],
      });
      await early.commitTransaction();
    } finally {
      await early.release();
    }
    const rows: { quantity_after: number }[] = await dataSource.query(
      `SELECT quantity_after FROM stock_movements WHERE product_id = $1 ORDER BY created_at, id`,
      [productId],
    );
    expect(rows.map((row) => row.quantity_after)).toEqual([10, 9, 7]);
  });

  it('the ledger refuses UPDATE and DELETE, even through the app’s own connection', async () => {
    const productId = await seedProduct(api);
    await move([{ productId, delta: 1 }], 'receiving');
    await expect(
      dataSource.query(`UPDATE stock_movements SET delta = 100 WHERE product_id = $1`, [productId]),
    ).rejects.toThrow(/append-only/);
    await expect(
      dataSource.query(`DELETE FROM stock_movements WHERE product_id = $1`, [productId]),
    ).rejects.toThrow(/append-only/);
    expect(await stockOf(api, storeId, productId)).toEqual({
      quantity: 1,
      ledger: 1,
      movements: 1,
    });
  });

  it('the database refuses a negative quantity even if a bug tried to write one', async () => {
    const productId = await seedProduct(api);
    await expect(
      dataSource.query(
        `INSERT INTO inventory (store_id, product_id, quantity) VALUES ($1, $2, -1)`,
        [storeId, productId],
      ),
    ).rejects.toThrow(/ck_inventory_quantity/);
  });
});
