import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { TestApp } from '../../../support/app';
import { bearer, login, seedStore, seedUser, TEST_PASSWORD } from '../../../support/auth';
import { receiveStock, seedProduct } from '../../../support/catalog';
import { postSale } from '../../../support/sales';

/**
 * Real rows for every id a request can name, so that a rejection can only come from the
 * badness of the input: two stores, a stocked product, a completed sale, a pending transfer,
 * and a signed-in admin, manager and cashier of the main store.
 */
export interface BadInputWorld {
  storeId: string;
  otherStoreId: string;
  productId: string;
  saleId: string;
  saleLineId: string;
  transferId: string;
  /** A cashier of the main store whose account admin PATCHes target. */
  cashierId: string;
  cashierUsername: string;
  tokens: { admin: string; manager: string; cashier: string };
  password: string;
}

const storeCode = () => `BI${randomBytes(3).toString('hex').toUpperCase()}`;

async function expectCreated<T>(
  label: string,
  response: Promise<{ statusCode: number; body: string }>,
) {
  const { statusCode, body } = await response;
  if (statusCode !== 201) throw new Error(`${label} failed: ${statusCode} ${body}`);
  return JSON.parse(body) as T;
}

export async function seedBadInputWorld(api: TestApp): Promise<BadInputWorld> {
  const storeId = await seedStore(api, { code: storeCode() });
  const otherStoreId = await seedStore(api, { code: storeCode() });
  const productId = await seedProduct(api, { unitPrice: 11600, reorderLevel: 2 });
  await receiveStock(api, storeId, productId, 500);
  await receiveStock(api, otherStoreId, productId, 500);

  const users = {
    admin: await seedUser(api, 'admin'),
    manager: await seedUser(api, 'manager', [storeId, otherStoreId]),
    cashier: await seedUser(api, 'cashier', [storeId]),
  };
  const tokens = {
    admin: (await login(api, users.admin.username)).accessToken,
    manager: (await login(api, users.manager.username)).accessToken,
    cashier: (await login(api, users.cashier.username)).accessToken,
  };

  const sale = await expectCreated<{ id: string; lines: { id: string }[] }>(
    'sale',
    postSale(api, tokens.cashier, { storeId, items: [{ productId, quantity: 3 }] }),
  );
  const transfer = await expectCreated<{ id: string }>(
    'transfer',
    api.request({
      method: 'POST',
      url: '/api/v1/transfers',
      headers: bearer(tokens.cashier),
      payload: {
        fromStoreId: otherStoreId,
        toStoreId: storeId,
        items: [{ productId, quantity: 1 }],
      },
    }),
  );
  return {
    storeId,
    otherStoreId,
    productId,
    saleId: sale.id,
    saleLineId: sale.lines[0].id,
    transferId: transfer.id,
    cashierId: users.cashier.id,
    cashierUsername: users.cashier.username,
    tokens,
    password: TEST_PASSWORD,
  };
}

/** Row count and MD5 of the ordered rows of one table. */
export type DatabaseSnapshot = Record<string, { rows: number; md5: string }>;

/**
 * Every table of the public schema, none left out: the world is seeded and everyone signed in
 * before the first snapshot, and a rejected request may write nothing at all — no session,
 * refresh token, audit entry, outbox row, idempotency key or stock movement.
 */
export async function snapshotDatabase(api: TestApp): Promise<DatabaseSnapshot> {
  const dataSource = api.app.get(DataSource);
  const tables: { name: string }[] = await dataSource.query(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const snapshot: DatabaseSnapshot = {};
  for (const { name } of tables) {
    const [row] = await dataSource.query(
      `SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS md5
         FROM "${name}" t`,
    );
    snapshot[name] = row;
  }
  return snapshot;
}
