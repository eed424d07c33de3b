import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { DataSource } from 'typeorm';
import type { TestApp } from './app';
import { bearer, login, seedStore, seedUser } from './auth';
import { receiveStock, seedProduct } from './catalog';

export interface TransferRequest {
  fromStoreId: string;
  toStoreId: string;
  items: { productId: string; quantity: number }[];
  note?: string;
}

export function requestTransfer(api: TestApp, token: string, body: TransferRequest | object) {
  return api.request({
    method: 'POST',
    url: '/api/v1/transfers',
    headers: bearer(token),
    payload: body,
  });
}

export type TransferAction = 'approve' | 'reject' | 'cancel';

/** POST /transfers/:id/<action> (reject with a reason unless one is given). */
export function decideTransfer(
  api: TestApp,
  token: string,
  id: string,
  action: TransferAction,
  body?: object,
) {
  return api.request({
    method: 'POST',
    url: `/api/v1/transfers/${id}/${action}`,
    headers: bearer(token),
    ...(action === 'reject' ? { payload: body ?? { reason: 'Not this week' } } : {}),
  });
}

/** Ledger rows written for a transfer, source first. */
export async function transferMovements(api: TestApp, transferId: string) {
  const rows: { store_id: string; product_id: string; delta: number; reason: string }[] =
    await api.app.get(DataSource).query(
      `SELECT store_id, product_id, delta, reason FROM stock_movements
        WHERE reference_type = 'transfer' AND reference_id = $1 ORDER BY reason DESC, product_id`,
      [transferId],
    );
  return rows.map((row) => ({
    storeId: row.store_id,
    productId: row.product_id,
    delta: row.delta,
    reason: row.reason,
  }));
}

export type TransferRole = 'admin' | 'manager' | 'cashier';

/**
 * Three stores and the people of a transfer story: `source` (stock leaves), `dest` (stock
 * arrives, the requester's store) and an unrelated store. Users named in `emails` get that address.
 */
export interface TransferWorld {
  source: string;
  dest: string;
  elsewhere: string;
  codes: { source: string; dest: string };
  tokens: Record<TransferUser, string>;
  ids: Record<TransferUser, string>;
}

const WORLD_USERS = {
  admin: ['admin', 'none'],
  sourceManager: ['manager', 'source'],
  sourceCashier: ['cashier', 'source'],
  destManager: ['manager', 'dest'],
  destCashier: ['cashier', 'dest'],
  otherDestCashier: ['cashier', 'dest'],
  elsewhereManager: ['manager', 'elsewhere'],
  bothManager: ['manager', 'both'],
} as const;

export type TransferUser = keyof typeof WORLD_USERS;

const storeCode = (prefix: string) => `${prefix}${randomBytes(3).toString('hex').toUpperCase()}`;

export async function seedTransferWorld(
  api: TestApp,
  emails: Partial<Record<TransferUser, string>> = {},
): Promise<TransferWorld> {
  const dataSource = api.app.get(DataSource);
  const codes = { source: storeCode('NB'), dest: storeCode('MS') };
  const source = await seedStore(api, { code: codes.source, name: 'Nairobi CBD' });
  const dest = await seedStore(api, { code: codes.dest, name: 'Mombasa Nyali' });
  const elsewhere = await seedStore(api);
  const storesOf = {
    none: [],
    source: [source],
    dest: [dest],
    elsewhere: [elsewhere],
    both: [source, dest],
  };
  const tokens = {} as Record<TransferUser, string>;
  const ids = {} as Record<TransferUser, string>;
  for (const [name, [role, stores]] of Object.entries(WORLD_USERS) as [
    TransferUser,
    readonly [TransferRole, keyof typeof storesOf],
  ][]) {
    const user = await seedUser(api, role, storesOf[stores]);
    const email = emails[name];
    if (email)
      await dataSource.query('UPDATE users SET email = $2 WHERE id = $1', [user.id, email]);
    ids[name] = user.id;
    tokens[name] = (await login(api, user.username)).accessToken;
  }
  return { source, dest, elsewhere, codes, tokens, ids };
}

/** A new product with `stock` units at the world's source store. */
export async function stockedAtSource(
  api: TestApp,
  world: TransferWorld,
  stock: number,
  overrides: { reorderLevel?: number; name?: string } = {},
): Promise<string> {
  const productId = await seedProduct(api, overrides);
  if (stock > 0) await receiveStock(api, world.source, productId, stock);
  return productId;
}

/** A pending transfer of `quantity` units of a new product, requested by the destination cashier. */
export async function pendingTransfer(
  api: TestApp,
  world: TransferWorld,
  quantity = 2,
  stock = 100,
) {
  const productId = await stockedAtSource(api, world, stock);
  const response = await requestTransfer(api, world.tokens.destCashier, {
    fromStoreId: world.source,
    toStoreId: world.dest,
    items: [{ productId, quantity }],
  });
  if (response.statusCode !== 201) throw new Error(`transfer request failed: ${response.body}`);
  return { id: response.json().id as string, productId };
}

/** Audit actions recorded for a transfer, oldest first. */
export async function transferAuditActions(api: TestApp, transferId: string): Promise<string[]> {
  const rows: { action: string }[] = await api.app
    .get(DataSource)
    .query(
      `SELECT action FROM audit_logs WHERE entity_type = 'transfer' AND entity_id = $1 ORDER BY occurred_at, id`,
      [transferId],
    );
  return rows.map((row) => row.action);
}

export function expectError(response: LightMyRequestResponse, status: number, code: string): void {
  expect({ status: response.statusCode, code: response.json().code }).toEqual({ status, code });
}

export function getTransfer(api: TestApp, token: string, id: string) {
  return api.request({ method: 'GET', url: `/api/v1/transfers/${id}`, headers: bearer(token) });
}
