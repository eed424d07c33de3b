import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { bearer, seedStore, signedIn } from '../support/auth';
import { seedProduct } from '../support/catalog';

type Method = 'GET' | 'POST' | 'PATCH';

/** The operations API.md opens to everyone: every other one needs a token. */
const PUBLIC = new Set([
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/refresh',
  'GET /health',
  'GET /ready',
]);

describe('access across every operation', () => {
  let api: TestApp;
  let admin: string;
  beforeAll(async () => {
    api = await startTestApp();
    admin = (await signedIn(api, 'admin')).token;
  });
  afterAll(() => api.close());

  /** The status and code, named by the request, so a failure says which operation it was. */
  const expectAnswer = (
    request: { method: Method; url: string },
    response: Awaited<ReturnType<TestApp['request']>>,
    status: number,
    code: string,
  ) =>
    expect({ ...request, status: response.statusCode, code: response.json().code }).toEqual({
      ...request,
      status,
      code,
    });

  const expectError = (
    response: Awaited<ReturnType<TestApp['request']>>,
    status: number,
    code: string,
  ) =>
    expect({ status: response.statusCode, code: response.json().code }).toEqual({ status, code });

  it('refuses every operation of the OpenAPI document but login, refresh and the probes without a valid token (401)', async () => {
    const document = (await api.request({ method: 'GET', url: '/docs-json' })).json();
    const operations: { method: Method; url: string }[] = [];
    for (const [path, item] of Object.entries<Record<string, unknown>>(document.paths)) {
      for (const method of Object.keys(item).map((name) => name.toUpperCase() as Method)) {
        if (PUBLIC.has(`${method} ${path}`)) continue;
        operations.push({ method, url: path.replace(/\{[^}]+\}/g, () => randomUUID()) });
      }
    }
    expect(operations.length).toBeGreaterThan(30);
    const forged = `${randomBytes(20).toString('base64url')}.${randomBytes(20).toString('base64url')}.x`;
    for (const { method, url } of operations) {
      for (const headers of [{}, bearer(forged)]) {
        const response = await api.request({
          method,
          url,
          headers,
          ...(method === 'GET' ? {} : { payload: {} }),
        });
        expectAnswer({ method, url }, response, 401, 'UNAUTHENTICATED');
      }
    }
  });

  it('answers 404 NOT_FOUND for ids that do not exist, even to an admin', async () => {
    const store = await seedStore(api);
    const product = await seedProduct(api);
    const missing = randomUUID();
    const cases: { method: Method; url: string; payload?: object }[] = [
      { method: 'PATCH', url: `/api/v1/users/${missing}`, payload: { fullName: 'Nobody' } },
      { method: 'PATCH', url: `/api/v1/stores/${missing}`, payload: { name: 'Nowhere' } },
      { method: 'GET', url: `/api/v1/sales/${missing}` },
      {
        method: 'PATCH',
        url: `/api/v1/stores/${store}/inventory/${missing}`,
        payload: { reorderLevel: 3 },
      },
      {
        method: 'PATCH',
        url: `/api/v1/stores/${missing}/inventory/${product}`,
        payload: { reorderLevel: 3 },
      },
      { method: 'GET', url: `/api/v1/stores/${missing}/inventory` },
      { method: 'GET', url: `/api/v1/stores/${missing}/stock-movements` },
      { method: 'POST', url: `/api/v1/transfers/${missing}/reject`, payload: { reason: 'no' } },
      { method: 'POST', url: `/api/v1/transfers/${missing}/cancel`, payload: {} },
      { method: 'GET', url: `/api/v1/reports/sales-summary?storeId=${missing}` },
      { method: 'GET', url: `/api/v1/reports/top-products?storeId=${missing}` },
      { method: 'GET', url: `/api/v1/reports/cashiers?storeId=${missing}` },
      { method: 'GET', url: `/api/v1/reports/inventory-valuation?storeId=${missing}` },
    ];
    for (const { method, url, payload } of cases) {
      const response = await api.request({ method, url, headers: bearer(admin), payload });
      expectAnswer({ method, url }, response, 404, 'NOT_FOUND');
    }
  });

  it('answers 409 CONFLICT when an update takes a store code or barcode already in use', async () => {
    const taken = `C${randomBytes(3).toString('hex').toUpperCase()}`;
    await seedStore(api, { code: taken });
    const other = await seedStore(api);
    expectError(
      await api.request({
        method: 'PATCH',
        url: `/api/v1/stores/${other}`,
        headers: bearer(admin),
        payload: { code: taken },
      }),
      409,
      'CONFLICT',
    );
    const barcode = `BC-${randomBytes(4).toString('hex')}`;
    const [first, second] = [await seedProduct(api), await seedProduct(api)];
    await api.app
      .get(DataSource)
      .query('UPDATE products SET barcode = $2 WHERE id = $1', [first, barcode]);
    expectError(
      await api.request({
        method: 'PATCH',
        url: `/api/v1/products/${second}`,
        headers: bearer(admin),
        payload: { barcode },
      }),
      409,
      'CONFLICT',
    );
  });
});
