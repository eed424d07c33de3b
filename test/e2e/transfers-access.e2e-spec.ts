import { startTestApp, TestApp } from '../support/app';
import { bearer } from '../support/auth';
import { stockOf } from '../support/catalog';
import {
  decideTransfer,
  expectError,
  getTransfer,
  pendingTransfer,
  requestTransfer,
  seedTransferWorld,
  stockedAtSource,
  TransferWorld,
} from '../support/transfers';

describe('transfers: validation, roles and store scoping', () => {
  let api: TestApp;
  let world: TransferWorld;

  beforeAll(async () => {
    api = await startTestApp();
    world = await seedTransferWorld(api);
  });
  afterAll(() => api.close());

  const list = (token: string, query = '') =>
    api.request({ method: 'GET', url: `/api/v1/transfers?${query}`, headers: bearer(token) });

  describe('a request', () => {
    it('refuses invalid bodies with 400 naming the field', async () => {
      const productId = await stockedAtSource(api, world, 10);
      const base = {
        fromStoreId: world.source,
        toStoreId: world.dest,
        items: [{ productId, quantity: 1 }],
      };
      const unknownProduct = '00000000-0000-4000-8000-000000000001';
      const tooMany = Array.from({ length: 201 }, () => ({ productId, quantity: 1 }));
      const cases: [object, string][] = [
        [{ ...base, fromStoreId: world.dest }, 'toStoreId'],
        [{ ...base, fromStoreId: world.dest.toUpperCase() }, 'toStoreId'],
        [
          { ...base, items: [...base.items, { productId: productId.toUpperCase(), quantity: 2 }] },
          'items.1.productId',
        ],
        [{ ...base, items: [] }, 'items'],
        [{ ...base, items: tooMany }, 'items'],
        [{ ...base, items: [{ productId, quantity: 0 }] }, 'items.0.quantity'],
        [{ ...base, items: [{ productId, quantity: 1.5 }] }, 'items.0.quantity'],
        [{ ...base, items: [{ productId: 'nope', quantity: 1 }] }, 'items.0.productId'],
        [{ ...base, items: [...base.items, { productId, quantity: 2 }] }, 'items.1.productId'],
        [{ ...base, items: [{ productId: unknownProduct, quantity: 1 }] }, 'items.0.productId'],
        [{ ...base, note: 'x'.repeat(501) }, 'note'],
        [{ ...base, toStoreId: undefined }, 'toStoreId'],
        [{ ...base, extra: true }, 'extra'],
      ];
      for (const [body, field] of cases) {
        const response = await requestTransfer(api, world.tokens.admin, body);
        expectError(response, 400, 'VALIDATION_FAILED');
        expect(response.json().details).toEqual(
          expect.arrayContaining([expect.objectContaining({ field })]),
        );
      }
    });

    it('answers 404 for an unknown source store or a destination that is not the caller’s', async () => {
      const productId = await stockedAtSource(api, world, 10);
      const items = [{ productId, quantity: 1 }];
      const unknownStore = '00000000-0000-4000-8000-000000000002';
      const cases: [string, string, string][] = [
        [world.tokens.destCashier, unknownStore, world.dest],
        // The source's staff cannot push stock into a store they do not work at.
        [world.tokens.sourceManager, world.source, world.dest],
        [world.tokens.sourceCashier, world.source, world.dest],
        [world.tokens.elsewhereManager, world.source, world.dest],
        [world.tokens.admin, world.source, unknownStore],
      ];
      for (const [token, fromStoreId, toStoreId] of cases) {
        const response = await requestTransfer(api, token, { fromStoreId, toStoreId, items });
        expectError(response, 404, 'NOT_FOUND');
      }
    });

    it('is open to an admin and to a manager of the destination', async () => {
      const productId = await stockedAtSource(api, world, 10);
      for (const who of ['admin', 'destManager'] as const) {
        const response = await requestTransfer(api, world.tokens[who], {
          fromStoreId: world.source,
          toStoreId: world.dest,
          items: [{ productId, quantity: 1 }],
        });
        expect(response.statusCode).toBe(201);
        expect(response.json().requestedBy).toBe(world.ids[who]);
      }
    });
  });

  describe('decisions', () => {
    it('a cashier cannot approve or reject (403), not even a cashier of the source store', async () => {
      const { id } = await pendingTransfer(api, world);
      for (const who of ['sourceCashier', 'destCashier'] as const) {
        for (const action of ['approve', 'reject'] as const) {
          expectError(await decideTransfer(api, world.tokens[who], id, action), 403, 'FORBIDDEN');
        }
      }
    });

    it('a manager of the destination only cannot approve or reject (403 saying who can)', async () => {
      const { id, productId } = await pendingTransfer(api, world, 2, 10);
      for (const action of ['approve', 'reject'] as const) {
        const response = await decideTransfer(api, world.tokens.destManager, id, action);
        expectError(response, 403, 'FORBIDDEN');
        expect(response.json().message).toMatch(/manager of the source store or an admin/);
      }
      expect((await stockOf(api, world.source, productId)).quantity).toBe(10);
      expect((await getTransfer(api, world.tokens.admin, id)).json().status).toBe('pending');
    });

    it('a manager of an unrelated store sees 404 for the transfer and every action on it', async () => {
      const { id } = await pendingTransfer(api, world);
      const token = world.tokens.elsewhereManager;
      expectError(await getTransfer(api, token, id), 404, 'NOT_FOUND');
      for (const action of ['approve', 'reject', 'cancel'] as const) {
        expectError(await decideTransfer(api, token, id, action), 404, 'NOT_FOUND');
      }
      expect((await list(token)).json()).toMatchObject({ data: [], total: 0 });
      expectError(await list(token, `storeId=${world.source}`), 404, 'NOT_FOUND');
    });

    it('an unknown transfer is 404 and a malformed id 400', async () => {
      const unknown = '00000000-0000-4000-8000-000000000003';
      expectError(await getTransfer(api, world.tokens.admin, unknown), 404, 'NOT_FOUND');
      expectError(
        await decideTransfer(api, world.tokens.admin, unknown, 'approve'),
        404,
        'NOT_FOUND',
      );
      expectError(await getTransfer(api, world.tokens.admin, 'nope'), 400, 'VALIDATION_FAILED');
    });
  });

  it('lists by store (either side) and status, newest first, scoped to the caller', async () => {
    await pendingTransfer(api, world); // two pending ones for the page of one below
    const open = await pendingTransfer(api, world);
    const done = await pendingTransfer(api, world);
    await decideTransfer(api, world.tokens.sourceManager, done.id, 'approve');
    const ids = async (token: string, query: string) => {
      const response = await list(token, `pageSize=200&${query}`);
      expect(response.statusCode).toBe(200);
      return response.json().data.map((transfer: { id: string }) => transfer.id) as string[];
    };
    const { tokens, source, dest, elsewhere } = world;
    expect(await ids(tokens.sourceCashier, `storeId=${source}`)).toEqual(
      expect.arrayContaining([open.id, done.id]),
    );
    expect((await ids(tokens.destCashier, `storeId=${dest}`)).slice(0, 2)).toEqual([
      done.id,
      open.id,
    ]);
    expect(await ids(tokens.destCashier, 'status=pending')).toContain(open.id);
    expect(await ids(tokens.destCashier, 'status=pending')).not.toContain(done.id);
    expect(await ids(tokens.admin, `storeId=${source}&status=completed`)).toEqual([done.id]);
    expect(await ids(tokens.admin, `storeId=${elsewhere}`)).toEqual([]);
    const page = await list(tokens.admin, 'pageSize=1&status=pending');
    expect(page.json()).toMatchObject({ page: 1, pageSize: 1, data: [{ status: 'pending' }] });
    expect(page.json().total).toBeGreaterThan(1);
    expectError(await list(tokens.admin, 'status=done'), 400, 'VALIDATION_FAILED');
    expectError(await list(tokens.admin, 'storeId=nope'), 400, 'VALIDATION_FAILED');
  });
});
