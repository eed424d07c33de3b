import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { bearer } from '../support/auth';
import { receiveStock, stockOf } from '../support/catalog';
import { countDeadlockRetries, whileLocked } from '../support/pg-activity';
import {
  decideTransfer,
  expectError,
  getTransfer,
  pendingTransfer,
  requestTransfer,
  seedTransferWorld,
  stockedAtSource,
  TransferAction,
  transferAuditActions,
  transferMovements,
  TransferUser,
  TransferWorld,
} from '../support/transfers';

describe('transfers between stores', () => {
  let api: TestApp;
  let world: TransferWorld;
  let source: string;
  let dest: string;

  beforeAll(async () => {
    api = await startTestApp();
    world = await seedTransferWorld(api);
    ({ source, dest } = world);
  });
  afterAll(() => api.close());

  const act = (who: TransferUser, id: string, action: TransferAction, body?: object) =>
    decideTransfer(api, world.tokens[who], id, action, body);
  const pending = (quantity?: number, stock?: number) =>
    pendingTransfer(api, world, quantity, stock);
  const stocked = (stock: number, overrides?: { reorderLevel?: number }) =>
    stockedAtSource(api, world, stock, overrides);

  it('staff of the destination request stock: 201 pending, visible to both sides, audited', async () => {
    const productId = await stocked(10);
    const response = await requestTransfer(api, world.tokens.destCashier, {
      fromStoreId: source,
      toStoreId: dest,
      items: [{ productId, quantity: 4 }],
      note: 'Weekend stock',
    });
    expect(response.statusCode).toBe(201);
    const transfer = response.json();
    expect(transfer).toEqual({
      id: expect.any(String),
      fromStoreId: source,
      toStoreId: dest,
      status: 'pending',
      items: [{ productId, quantity: 4 }],
      note: 'Weekend stock',
      requestedBy: world.ids.destCashier,
      decidedBy: null,
      reason: null,
      createdAt: expect.any(String),
      decidedAt: null,
    });
    for (const who of ['sourceManager', 'sourceCashier', 'destManager', 'admin'] as const) {
      expect((await getTransfer(api, world.tokens[who], transfer.id)).json()).toEqual(transfer);
    }
    expect(await transferAuditActions(api, transfer.id)).toEqual(['transfer.requested']);
    expect((await stockOf(api, source, productId)).quantity).toBe(10);
  });

  describe('approval', () => {
    it('moves every line out of the source and into the destination, with ledger rows and low-stock alerts', async () => {
      const rice = await stocked(10, { reorderLevel: 5 });
      const oil = await stocked(3);
      await receiveStock(api, dest, oil, 2);
      const created = await requestTransfer(api, world.tokens.destCashier, {
        fromStoreId: source,
        toStoreId: dest,
        items: [
          { productId: rice, quantity: 6 },
          { productId: oil, quantity: 3 },
        ],
      });
      const id = created.json().id;
      const response = await act('sourceManager', id, 'approve');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        id,
        status: 'completed',
        decidedBy: world.ids.sourceManager,
        reason: null,
        items: [
          { productId: rice, quantity: 6 },
          { productId: oil, quantity: 3 },
        ],
      });
      expect(Date.parse(response.json().decidedAt)).toBeGreaterThan(0);

      expect(await stockOf(api, source, rice)).toEqual({ quantity: 4, ledger: 4, movements: 2 });
      expect(await stockOf(api, dest, rice)).toEqual({ quantity: 6, ledger: 6, movements: 1 });
      expect(await stockOf(api, source, oil)).toEqual({ quantity: 0, ledger: 0, movements: 2 });
      expect(await stockOf(api, dest, oil)).toEqual({ quantity: 5, ledger: 5, movements: 2 });
      const movements = await transferMovements(api, id);
      expect(movements).toHaveLength(4);
      expect(movements).toEqual(
        expect.arrayContaining([
          { storeId: source, productId: rice, delta: -6, reason: 'transfer_out' },
          { storeId: source, productId: oil, delta: -3, reason: 'transfer_out' },
          { storeId: dest, productId: rice, delta: 6, reason: 'transfer_in' },
          { storeId: dest, productId: oil, delta: 3, reason: 'transfer_in' },
        ]),
      );
      // rice 10 → 4 crosses its level 5; oil 3 → 0 crosses level 0.
      const alerts: { product_id: string }[] = await api.app
        .get(DataSource)
        .query(
          `SELECT payload->>'productId' AS product_id FROM outbox WHERE type = 'low_stock' AND payload->>'storeId' = $1`,
          [source],
        );
      expect(alerts.map((row) => row.product_id).sort()).toEqual([rice, oil].sort());
      expect(await transferAuditActions(api, id)).toEqual([
        'transfer.requested',
        'transfer.approved',
      ]);
    });

    it('moves nothing and answers 409 INSUFFICIENT_STOCK listing the short lines', async () => {
      const short = await stocked(2);
      const plenty = await stocked(10);
      const created = await requestTransfer(api, world.tokens.destCashier, {
        fromStoreId: source,
        toStoreId: dest,
        items: [
          { productId: plenty, quantity: 4 },
          { productId: short, quantity: 5 },
        ],
      });
      const id = created.json().id;
      const snapshot = () =>
        Promise.all(
          [source, dest].flatMap((store) => [short, plenty].map((p) => stockOf(api, store, p))),
        );
      const before = await snapshot();
      const response = await act('sourceManager', id, 'approve');
      expectError(response, 409, 'INSUFFICIENT_STOCK');
      expect(response.json().details).toEqual([{ productId: short, requested: 5, available: 2 }]);
      expect(await snapshot()).toEqual(before);
      expect(await transferMovements(api, id)).toEqual([]);
      expect((await getTransfer(api, world.tokens.admin, id)).json()).toMatchObject({
        status: 'pending',
        decidedBy: null,
        decidedAt: null,
      });
      expect(await transferAuditActions(api, id)).toEqual(['transfer.requested']);

      await receiveStock(api, source, short, 3); // still pending, so it can go now
      expect((await act('admin', id, 'approve')).statusCode).toBe(200);
      expect((await stockOf(api, source, short)).quantity).toBe(0);
    });

    it('refuses fields in the body of approve and cancel, which take none (400), and does nothing', async () => {
      const { id, productId } = await pending(2, 10);
      for (const action of ['approve', 'cancel'] as const) {
        const response = await api.request({
          method: 'POST',
          url: `/api/v1/transfers/${id}/${action}`,
          headers: bearer(world.tokens.admin),
          payload: { force: true },
        });
        expectError(response, 400, 'VALIDATION_FAILED');
        expect(response.json().details).toEqual([
          { field: 'force', problems: ['property force should not exist'] },
        ]);
      }
      expect((await getTransfer(api, world.tokens.admin, id)).json().status).toBe('pending');
      expect((await stockOf(api, source, productId)).quantity).toBe(10);
      expect((await act('admin', id, 'approve')).statusCode).toBe(200); // no body: fine
    });

    it('refuses to approve once either store was deactivated (409 INVALID_STATE); it can still be rejected', async () => {
      const closing = await seedTransferWorld(api);
      for (const closed of ['dest', 'source'] as const) {
        const { id, productId } = await pendingTransfer(api, closing, 2, 10);
        const setActive = (active: boolean) =>
          api.request({
            method: 'PATCH',
            url: `/api/v1/stores/${closing[closed]}`,
            headers: bearer(closing.tokens.admin),
            payload: { active },
          });
        expect((await setActive(false)).statusCode).toBe(200);
        try {
          const approve = await decideTransfer(api, closing.tokens.admin, id, 'approve');
          expectError(approve, 409, 'INVALID_STATE');
          expect(approve.json().details).toEqual([{ storeId: closing[closed], active: false }]);
          expect((await stockOf(api, closing.source, productId)).quantity).toBe(10);
          const reject = await decideTransfer(api, closing.tokens.sourceManager, id, 'reject', {
            reason: 'Store closed',
          });
          expect(reject.statusCode).toBe(200);
        } finally {
          await setActive(true);
        }
      }
    });
  });

  describe('reject and cancel', () => {
    it('a source manager rejects with a reason (required, 1–500 characters); nothing moves', async () => {
      const { id, productId } = await pending(3, 10);
      for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(501) }]) {
        expectError(await act('sourceManager', id, 'reject', body), 400, 'VALIDATION_FAILED');
      }
      const response = await act('sourceManager', id, 'reject', { reason: 'We need it ourselves' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        status: 'rejected',
        reason: 'We need it ourselves',
        decidedBy: world.ids.sourceManager,
      });
      expect(await stockOf(api, source, productId)).toEqual({
        quantity: 10,
        ledger: 10,
        movements: 1,
      });
      expect(await transferAuditActions(api, id)).toEqual([
        'transfer.requested',
        'transfer.rejected',
      ]);
    });

    it('the requester or an admin cancels; other staff of the store may not (403)', async () => {
      const first = await pending();
      expectError(await act('otherDestCashier', first.id, 'cancel'), 403, 'FORBIDDEN');
      expectError(await act('destManager', first.id, 'cancel'), 403, 'FORBIDDEN');
      expectError(await act('sourceManager', first.id, 'cancel'), 403, 'FORBIDDEN');
      const mine = await act('destCashier', first.id, 'cancel');
      expect(mine.statusCode).toBe(200);
      expect(mine.json()).toMatchObject({ status: 'cancelled', decidedBy: world.ids.destCashier });
      const second = await pending();
      expect((await act('admin', second.id, 'cancel')).json()).toMatchObject({
        status: 'cancelled',
        decidedBy: world.ids.admin,
      });
      expect(await transferAuditActions(api, second.id)).toEqual([
        'transfer.requested',
        'transfer.cancelled',
      ]);
    });
  });

  describe.each([
    ['completed', 'approve'],
    ['rejected', 'reject'],
    ['cancelled', 'cancel'],
  ] as const)('a %s transfer', (status, how) => {
    it.each(['approve', 'reject', 'cancel'] as const)(
      'refuses %s with 409 INVALID_STATE and changes nothing',
      async (action) => {
        const { id, productId } = await pending(2, 10);
        expect((await act('admin', id, how)).json().status).toBe(status);
        const before = await stockOf(api, source, productId);
        const response = await act('admin', id, action);
        expectError(response, 409, 'INVALID_STATE');
        expect(response.json().message).toContain(status);
        expect(await stockOf(api, source, productId)).toEqual(before);
        expect((await getTransfer(api, world.tokens.admin, id)).json().status).toBe(status);
        expect(await transferAuditActions(api, id)).toHaveLength(2);
      },
    );
  });

  describe('under concurrency', () => {
    const lockTransfer = `SELECT id FROM transfers WHERE id = $1 FOR UPDATE`;

    it('two managers approving the same transfer at once move the stock once', async () => {
      for (let round = 0; round < 2; round++) {
        const { id, productId } = await pending(4, 10);
        const responses = await whileLocked(api.app.get(DataSource), lockTransfer, [id], 2, () =>
          Promise.all([act('sourceManager', id, 'approve'), act('admin', id, 'approve')]),
        );
        expect(responses.map((response) => response.statusCode).sort()).toEqual([200, 409]);
        const loser = responses.find((response) => response.statusCode === 409);
        expect(loser?.json().code).toBe('INVALID_STATE');
        expect(await stockOf(api, source, productId)).toEqual({
          quantity: 6,
          ledger: 6,
          movements: 2,
        });
        expect(await stockOf(api, dest, productId)).toEqual({
          quantity: 4,
          ledger: 4,
          movements: 1,
        });
        expect(await transferAuditActions(api, id)).toEqual([
          'transfer.requested',
          'transfer.approved',
        ]);
      }
    });

    it('approve racing cancel ends in exactly one of them, and the stock matches the outcome', async () => {
      for (let round = 0; round < 4; round++) {
        const { id, productId } = await pending(4, 10);
        const [approve, cancel] = await whileLocked(
          api.app.get(DataSource),
          lockTransfer,
          [id],
          2,
          () =>
            Promise.all([act('sourceManager', id, 'approve'), act('destCashier', id, 'cancel')]),
        );
        expect([approve.statusCode, cancel.statusCode].sort()).toEqual([200, 409]);
        const approved = approve.statusCode === 200;
        expect((approved ? cancel : approve).json().code).toBe('INVALID_STATE');
        const status = (await getTransfer(api, world.tokens.admin, id)).json().status;
        expect(status).toBe(approved ? 'completed' : 'cancelled');
        const moved = approved ? 4 : 0;
        expect(await stockOf(api, source, productId)).toMatchObject({
          quantity: 10 - moved,
          ledger: 10 - moved,
        });
        expect(await stockOf(api, dest, productId)).toMatchObject({
          quantity: moved,
          ledger: moved,
        });
        expect(await transferMovements(api, id)).toHaveLength(approved ? 2 : 0);
        expect(await transferAuditActions(api, id)).toEqual([
          'transfer.requested',
          approved ? 'transfer.approved' : 'transfer.cancelled',
        ]);
      }
    });

    it('transfers of the same products in opposite directions approved at once both complete, without a deadlock', async () => {
      const retries = countDeadlockRetries();
      for (let round = 0; round < 5; round++) {
        const products = [await stocked(20), await stocked(20)];
        for (const productId of products) await receiveStock(api, dest, productId, 20);
        const items = products.map((productId) => ({ productId, quantity: 3 }));
        const request = async (fromStoreId: string, toStoreId: string) => {
          const response = await requestTransfer(api, world.tokens.admin, {
            fromStoreId,
            toStoreId,
            items,
          });
          expect(response.statusCode).toBe(201);
          return response.json().id as string;
        };
        const ids = [await request(source, dest), await request(dest, source)];
        const responses = await Promise.all(ids.map((id) => act('admin', id, 'approve')));
        expect(responses.map((response) => response.statusCode)).toEqual([200, 200]);
        for (const store of [source, dest]) {
          for (const productId of products) {
            expect(await stockOf(api, store, productId)).toMatchObject({
              quantity: 20,
              ledger: 20,
            });
          }
        }
      }
      expect(retries.count()).toBe(0);
      retries.stop();
    });
  });
});
