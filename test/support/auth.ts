import { randomBytes } from 'node:crypto';
import * as argon2 from 'argon2';
import { DataSource } from 'typeorm';
import type { Role } from '../../src/common/auth/auth-user';
import type { TestApp } from './app';

export const TEST_PASSWORD = 'test-password-123';
let testPasswordHash: Promise<string> | undefined;

function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

export interface SeededUser {
  id: string;
  username: string;
  password: string;
  role: Role;
  storeIds: string[];
}

/** Inserts a store directly (tests of other features need one without going through the API). */
export async function seedStore(
  api: TestApp,
  overrides: { code?: string; name?: string } = {},
): Promise<string> {
  const code = overrides.code ?? uniqueName('S').toUpperCase().slice(0, 10);
  const [row] = await api.app
    .get(DataSource)
    .query(`INSERT INTO stores (code, name) VALUES ($1, $2) RETURNING id`, [
      code,
      overrides.name ?? `Store ${code}`,
    ]);
  return row.id;
}

/** Inserts a user directly with TEST_PASSWORD (hashed once per test file). */
export async function seedUser(
  api: TestApp,
  role: Role,
  storeIds: string[] = [],
  overrides: { username?: string; commissionRate?: number; active?: boolean } = {},
): Promise<SeededUser> {
  testPasswordHash ??= argon2.hash(TEST_PASSWORD, {
    type: argon2.argon2id,
    memoryCost: 19_456,
    timeCost: 2,
    parallelism: 1,
  });
  const username = overrides.username ?? uniqueName(role);
  const dataSource = api.app.get(DataSource);
  const [row] = await dataSource.query(
    `INSERT INTO users (username, password_hash, full_name, role, commission_rate, active)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [
      username,
      await testPasswordHash,
      `Test ${role}`,
      role,
      overrides.commissionRate ?? 0,
      overrides.active ?? true,
    ],
  );
  for (const storeId of storeIds) {
    await dataSource.query(`INSERT INTO user_stores (user_id, store_id) VALUES ($1, $2)`, [
      row.id,
      storeId,
    ]);
  }
  return { id: row.id, username, password: TEST_PASSWORD, role, storeIds };
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

export async function login(
  api: TestApp,
  username: string,
  password = TEST_PASSWORD,
  ip = '127.0.0.1',
): Promise<Tokens> {
  const response = await api.request({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
    remoteAddress: ip,
  });
  if (response.statusCode !== 200)
    throw new Error(`login ${username} failed: ${response.statusCode} ${response.body}`);
  return response.json();
}

/** A user of the given role, signed in: `{ user, token }`. */
export async function signedIn(api: TestApp, role: Role, storeIds: string[] = []) {
  const user = await seedUser(api, role, storeIds);
  const { accessToken } = await login(api, user.username);
  return { user, token: accessToken };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
