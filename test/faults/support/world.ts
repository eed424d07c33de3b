import { randomBytes, randomUUID } from 'node:crypto';
import * as argon2 from 'argon2';
import { Client } from 'pg';
import type { IntegrityReport } from '../../../scripts/bench/integrity';
import { TEST_PASSWORD } from '../../support/auth';

/** One store with a manager (who gets low-stock emails), cashiers and stocked products. */
export interface StoreWorld {
  storeId: string;
  managerUsername: string;
  managerEmail: string;
  cashierUsernames: string[];
  productIds: string[];
}

export interface WorldOptions {
  cashiers?: number;
  products?: number;
  /** Units of each product in stock. */
  stock?: number;
  /** Reorder level of each product: a sale taking stock to it or below sends an alert. */
  reorderLevel?: number;
}

/** Seeds straight into the database (the process under test is not involved). */
export async function seedWorld(
  databaseUrl: string,
  options: WorldOptions = {},
): Promise<StoreWorld> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tag = randomBytes(3).toString('hex');
    const hash = await argon2.hash(TEST_PASSWORD, { type: argon2.argon2id });
    const store = await client.query(
      `INSERT INTO stores (code, name) VALUES ($1, $2) RETURNING id`,
      [`F${tag}`.toUpperCase(), `Faults ${tag}`],
    );
    const storeId: string = store.rows[0].id;
    const addUser = async (username: string, role: string, email: string | null) => {
      const user = await client.query(
        `INSERT INTO users (username, password_hash, full_name, email, role)
         VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [username, hash, `Faults ${role}`, email, role],
      );
      await client.query(`INSERT INTO user_stores (user_id, store_id) VALUES ($1, $2)`, [
        user.rows[0].id,
        storeId,
      ]);
    };
    const managerUsername = `manager${tag}`;
    const managerEmail = `${managerUsername}@faults.test`;
    await addUser(managerUsername, 'manager', managerEmail);
    const cashierUsernames: string[] = [];
    for (let i = 0; i < (options.cashiers ?? 1); i++) {
      cashierUsernames.push(`cashier${tag}${i}`);
      await addUser(cashierUsernames[i], 'cashier', null);
    }
    const productIds: string[] = [];
    for (let i = 0; i < (options.products ?? 3); i++) {
      const product = await client.query(
        `INSERT INTO products (sku, name, unit_price, cost_price, tax_class, reorder_level)
         VALUES ($1, $2, 11600, 8000, 'standard', $3) RETURNING id`,
        [`F-${tag}-${i}`, `Faults product ${i}`, options.reorderLevel ?? 0],
      );
      const productId: string = product.rows[0].id;
      productIds.push(productId);
      await client.query(
        `WITH moved AS (INSERT INTO inventory (store_id, product_id, quantity) VALUES ($1, $2, $3) RETURNING quantity)
         INSERT INTO stock_movements (store_id, product_id, delta, quantity_after, reason)
         SELECT $1, $2, $3, quantity, 'receiving' FROM moved`,
        [storeId, productId, options.stock ?? 1000],
      );
    }
    return { storeId, managerUsername, managerEmail, cashierUsernames, productIds };
  } finally {
    await client.end();
  }
}

export async function loginOver(baseUrl: string, username: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: TEST_PASSWORD }),
  });
  if (response.status !== 200)
    throw new Error(`login ${username}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

export interface SaleAttempt {
  /** HTTP status, or 0 when the connection failed (process killed, refused, reset). */
  status: number;
  body?: { id?: string; error?: { code: string; message: string } } & Record<string, unknown>;
  ms: number;
}

/** POST /api/v1/sales over real HTTP: one line per product, paid in cash. */
export async function saleOver(
  baseUrl: string,
  token: string,
  storeId: string,
  items: { productId: string; quantity: number }[],
  idempotencyKey: string = randomUUID(),
  timeoutMs = 15_000,
): Promise<SaleAttempt> {
  const started = Date.now();
  try {
    const response = await fetch(`${baseUrl}/api/v1/sales`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'idempotency-key': idempotencyKey,
      },
      body: JSON.stringify({ storeId, items, payments: [{ method: 'cash', amount: 100_000_000 }] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : undefined,
      ms: Date.now() - started,
    };
  } catch {
    return { status: 0, ms: Date.now() - started };
  }
}

/** The design's invariants over the whole database (same check as `npm run bench`). */
export { checkIntegrity } from '../../../scripts/bench/integrity';

/** Every invariant holds; a failure names the ones that do not. */
export function expectIntact(report: IntegrityReport): void {
  expect(report).toMatchObject({
    ledgerMismatches: 0,
    negativeStock: 0,
    receiptGaps: 0,
    salesWithoutLines: 0,
    salesWithoutPayments: 0,
    salesWithoutOneAudit: 0,
    ok: true,
  });
}
