import { ClientRequest, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { bearer, seedStore, signedIn } from '../support/auth';
import { openExportCursors } from '../support/cursors';
import { eventually } from '../support/eventually';

/** Starts a download of every product and stops reading after the first bytes. */
function pausedDownload(api: TestApp, token: string): Promise<ClientRequest> {
  return new Promise((resolve, reject) => {
    const { port } = api.app.getHttpServer().address() as AddressInfo;
    const request = get(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/products?format=csv&pageSize=200',
        headers: bearer(token),
      },
      (response) => {
        expect(response.statusCode).toBe(200);
        response.once('data', () => {
          response.pause();
          resolve(request);
        });
      },
    );
    request.on('error', reject);
  });
}

/** Enough products that a download paused after its first bytes is far from finished. */
async function seedManyProducts(dataSource: DataSource): Promise<void> {
  await dataSource.query(
    `INSERT INTO products (sku, name, unit_price)
     SELECT 'SLOT-' || i, 'Slot test product ' || i, 100 + i % 900 FROM generate_series(1, 60000) i`,
  );
}

describe('CSV exports and the connection pool', () => {
  let api: TestApp;
  let dataSource: DataSource;
  let admin: string;
  /** Two more people, so the slots are held by others than the one asking (not per-user). */
  let holders: [string, string];
  let storeId: string;
  const paused: ClientRequest[] = [];

  beforeAll(async () => {
    // A pool of 4: at most 2 exports at once.
    api = await startTestApp({ env: { DATABASE_POOL_SIZE: '4' } });
    dataSource = api.app.get(DataSource);
    admin = (await signedIn(api, 'admin')).token;
    holders = [(await signedIn(api, 'admin')).token, (await signedIn(api, 'admin')).token];
    storeId = await seedStore(api);
    await seedManyProducts(dataSource);
    await api.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    for (const request of paused) request.destroy();
    await api.close();
  });

  const openCursors = () => openExportCursors(dataSource);

  /** Every other streamed CSV export: each takes a slot like the products export. */
  const otherExports = () => [
    '/api/v1/sales?format=csv',
    `/api/v1/stores/${storeId}/inventory?format=csv&search=Slot%20test%20product%2059999`,
    `/api/v1/stores/${storeId}/stock-movements?format=csv`,
    '/api/v1/audit-logs?format=csv',
    `/api/v1/reports/inventory-valuation?format=csv&storeId=${storeId}`,
  ];

  const slowDownload = async (token: string) => {
    paused.push(await pausedDownload(api, token));
  };

  it('refuses one export more than half the pool with 429, while other requests go on', async () => {
    await slowDownload(holders[0]);
    await slowDownload(holders[1]);
    await eventually(async () => expect(await openCursors()).toBe(2));

    const third = await api.request({
      method: 'GET',
      url: '/api/v1/products?format=csv',
      headers: bearer(admin),
    });
    expect(third.statusCode).toBe(429);
    expect(third.json().code).toBe('TOO_MANY_REQUESTS');
    expect(third.json().message).toMatch(/^Too many exports are running/);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    // The slots are shared: every other streamed export is refused the same way.
    for (const url of otherExports()) {
      const refused = await api.request({ method: 'GET', url, headers: bearer(admin) });
      expect({ url, status: refused.statusCode }).toEqual({ url, status: 429 });
      expect(refused.json().code).toBe('TOO_MANY_REQUESTS');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(await openCursors()).toBe(2);
    // The tills' requests still find a connection.
    const stores = await api.request({
      method: 'GET',
      url: '/api/v1/stores',
      headers: bearer(admin),
    });
    expect(stores.statusCode).toBe(200);

    // A client that goes away frees its export's connection and slot.
    for (const request of paused.splice(0)) request.destroy();
    await eventually(async () => expect(await openCursors()).toBe(0));
    const later = await api.request({
      method: 'GET',
      url: '/api/v1/products?format=csv&search=Slot%20test%20product%2059999',
      headers: bearer(admin),
    });
    expect(later.statusCode).toBe(200);
    expect(later.body.trim().split('\r\n')).toHaveLength(2);
    // With the slots free again, the same exports are answered (the 429s were the slots').
    for (const url of otherExports()) {
      const answered = await api.request({ method: 'GET', url, headers: bearer(admin) });
      expect({ url, status: answered.statusCode }).toEqual({ url, status: 200 });
      expect(answered.headers['content-type']).toMatch(/^text\/csv/);
    }
  }, 60_000);

  it('frees the connection and slot of an export whose client left before its first rows', async () => {
    const locker = dataSource.createQueryRunner();
    await locker.connect();
    await locker.startTransaction();
    await locker.query('LOCK TABLE products IN ACCESS EXCLUSIVE MODE');
    const { port } = api.app.getHttpServer().address() as AddressInfo;
    const request = get({
      host: '127.0.0.1',
      port,
      path: '/api/v1/products?format=csv',
      headers: bearer(admin),
    });
    request.on('error', () => undefined);
    let exportPid = 0;
    await eventually(async () => {
      const [waiting] = await dataSource.query(
        `SELECT pid FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'
            AND query LIKE 'DECLARE stream_query_cursor%'`,
      );
      expect(waiting).toBeDefined();
      exportPid = waiting.pid;
    });
    request.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100)); // the server sees the close
    await locker.commitTransaction();
    await locker.release();

    // Its first rows arrive after the client left: the export must still close its cursor and
    // end its transaction (the backend may meanwhile serve this test's own query).
    await eventually(async () => {
      const [backend] = await dataSource.query(
        `SELECT state, query FROM pg_stat_activity WHERE pid = $1`,
        [exportPid],
      );
      expect(backend.state).not.toBe('idle in transaction');
      expect(backend.query).not.toMatch(/stream_query_cursor/);
    });
    await slowDownload(holders[0]);
    await slowDownload(holders[1]); // both slots free
    for (const download of paused.splice(0)) download.destroy();
  }, 60_000);
});

describe('CSV exports per person', () => {
  let api: TestApp;
  let dataSource: DataSource;
  const paused: ClientRequest[] = [];

  beforeAll(async () => {
    // A pool of 10: 5 exports at once for the instance, 2 of them for any one person.
    api = await startTestApp({ env: { DATABASE_POOL_SIZE: '10' } });
    dataSource = api.app.get(DataSource);
    await seedManyProducts(dataSource);
    await api.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    for (const request of paused) request.destroy();
    await api.close();
  });

  const products = (token: string) =>
    api.request({
      method: 'GET',
      url: '/api/v1/products?format=csv&search=Slot%20test%20product%2059999',
      headers: bearer(token),
    });

  it('lets one person download two exports at once, not every slot of the instance', async () => {
    const slow = (await signedIn(api, 'cashier')).token;
    const other = (await signedIn(api, 'cashier')).token;
    paused.push(await pausedDownload(api, slow), await pausedDownload(api, slow));
    await eventually(async () => expect(await openExportCursors(dataSource)).toBe(2));

    const third = await products(slow);
    expect(third.statusCode).toBe(429);
    expect(third.json().code).toBe('TOO_MANY_REQUESTS');
    expect(third.json().message).toMatch(/^You already have 2 exports downloading/);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    expect(await openExportCursors(dataSource)).toBe(2); // refused before taking a connection

    // Three slots are left for everyone else.
    const others = await products(other);
    expect(others.statusCode).toBe(200);
    expect(others.body.trim().split('\r\n')).toHaveLength(2);

    // A download that ends gives the person's place back.
    paused.splice(0, 1)[0].destroy();
    await eventually(async () => expect(await openExportCursors(dataSource)).toBe(1));
    await eventually(async () => expect((await products(slow)).statusCode).toBe(200));
    for (const request of paused.splice(0)) request.destroy();
    await eventually(async () => expect(await openExportCursors(dataSource)).toBe(0));
  }, 60_000);

  it('logs an export that fails after its first rows were sent (the client only sees it cut short)', async () => {
    const { token } = await signedIn(api, 'admin');
    const errors = jest.spyOn(Logger.prototype, 'error');
    try {
      const { port } = api.app.getHttpServer().address() as AddressInfo;
      let body = '';
      const cut = new Promise<void>((resolve) => {
        const request = get(
          { host: '127.0.0.1', port, path: '/api/v1/products?format=csv', headers: bearer(token) },
          (response) => {
            expect(response.statusCode).toBe(200);
            response.once('data', (chunk: Buffer) => {
              body += chunk.toString();
              response.pause();
              // The database ends the export's session (a failover, an administrator).
              void dataSource
                .query(
                  `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE datname = current_database() AND query LIKE 'FETCH % FROM stream_query_cursor'`,
                )
                .then(() => response.resume());
            });
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.once('error', () => resolve());
            response.once('close', () => resolve());
          },
        );
        request.on('error', () => resolve());
      });
      await cut;
      expect(body.split('\r\n').length).toBeLessThan(60_000);
      await eventually(async () =>
        expect(errors.mock.calls.map(([message]) => String(message))).toContainEqual(
          expect.stringMatching(
            /^CSV export products\.csv \(request [\w-]+\) failed after it began: /,
          ),
        ),
      );
    } finally {
      errors.mockRestore();
    }
  }, 60_000);
});
