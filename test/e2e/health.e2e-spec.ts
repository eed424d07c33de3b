import { DataSource } from 'typeorm';
import { ShutdownState } from '../../src/modules/health/shutdown-state';
import { startTestApp, TestApp } from '../support/app';
import { seedStore, signedIn } from '../support/auth';
import { receiveStock, seedProduct, stockOf } from '../support/catalog';
import { postSale } from '../support/sales';
import { freePort } from '../support/free-port';
import { TcpProxy } from '../support/tcp-proxy';

describe('health and readiness', () => {
  describe('with PostgreSQL and Redis reachable', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp();
    });
    afterAll(() => api.close());

    it('GET /health reports database and redis up', async () => {
      const response = await api.request({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        status: 'ok',
        details: { database: { status: 'up' }, redis: { status: 'up', configured: true } },
      });
    });

    it('GET /ready is 200 when the database is reachable and migrations are applied', async () => {
      const response = await api.request({ method: 'GET', url: '/ready' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        status: 'ok',
        details: {
          database: { status: 'up' },
          migrations: { status: 'up' },
          shutdown: { status: 'up' },
        },
      });
    });

    it('GET /ready is 503 naming the migration the code expects and the database lacks', async () => {
      const dataSource = api.app.get(DataSource);
      const [last] = await dataSource.query(`SELECT * FROM migrations ORDER BY id DESC LIMIT 1`);
      await dataSource.query(`DELETE FROM migrations WHERE id = $1`, [last.id]);
      try {
        const response = await api.request({ method: 'GET', url: '/ready' });
        expect(response.statusCode).toBe(503);
        expect(response.json().details.migrations).toEqual({
          status: 'down',
          pending: [last.name],
        });
      } finally {
        await dataSource.query(`INSERT INTO migrations (id, timestamp, name) VALUES ($1, $2, $3)`, [
          last.id,
          last.timestamp,
          last.name,
        ]);
      }
      expect((await api.request({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    });

    it('health probes need no token and are outside /api/v1', async () => {
      expect((await api.request({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(404);
    });

    it('GET /ready turns 503 as soon as shutdown begins, while /health stays up', async () => {
      api.app.get(ShutdownState).begin();
      const ready = await api.request({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({
        status: 'error',
        error: { shutdown: { status: 'down' } },
      });
      expect((await api.request({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    });
  });

  describe('without REDIS_URL (embedded mode)', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({ env: { REDIS_URL: undefined } });
    });
    afterAll(() => api.close());

    it('reports Redis as not configured, not as down', async () => {
      const response = await api.request({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(200);
      expect(response.json().details.redis).toMatchObject({ status: 'up', configured: false });
    });
  });

  describe('with Redis unreachable', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}` } });
    });
    afterAll(() => api.close());

    it('/health is 503 naming redis, /ready stays 200 (sales do not need Redis)', async () => {
      const health = await api.request({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({
        status: 'error',
        error: {
          redis: {
            status: 'down',
            message: expect.stringMatching(/^Redis (is unreachable|did not answer within \d+ ms)$/),
          },
        },
      });
      // Public: no host, port or driver message.
      expect(health.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|:\d{4,5}/);
      expect((await api.request({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    });
  });

  describe('with the database becoming unreachable', () => {
    let api: TestApp;
    let proxy: TcpProxy;
    beforeAll(async () => {
      api = await startTestApp({
        env: { DATABASE_CONNECT_TIMEOUT_MS: '500' },
        databaseUrl: async (database) => {
          const url = new URL(database.url);
          proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
          url.port = String(proxy.port);
          return url.toString();
        },
      });
    });
    afterAll(async () => {
      await proxy.cut();
      await api.close();
    });

    it('answers 503 on /health and /ready quickly, and recovers by itself', async () => {
      await proxy.cut();
      const started = Date.now();
      const health = await api.request({ method: 'GET', url: '/health' });
      const ready = await api.request({ method: 'GET', url: '/ready' });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({ error: { database: { status: 'down' } } });
      expect(ready.statusCode).toBe(503);

      await proxy.open();
      const recovered = await api.request({ method: 'GET', url: '/ready' });
      expect(recovered.statusCode).toBe(200);
    });
  });

  describe('with PostgreSQL reachable but read-only (the old primary after a failover)', () => {
    let writable: TestApp;
    let readOnly: TestApp;
    beforeAll(async () => {
      writable = await startTestApp();
      readOnly = await startTestApp({
        databaseUrl: () => {
          const url = new URL(writable.database.url);
          url.searchParams.set('options', '-c default_transaction_read_only=on');
          return url.toString();
        },
      });
    });
    afterAll(async () => {
      await readOnly.close();
      await writable.close();
    });

    it('answers a sale 503 saying nothing was written, /health 503, while /ready stays 200', async () => {
      const storeId = await seedStore(writable);
      const productId = await seedProduct(writable);
      await receiveStock(writable, storeId, productId, 5);
      const { token } = await signedIn(writable, 'cashier', [storeId]);

      const sale = await postSale(readOnly, token, {
        storeId,
        items: [{ productId, quantity: 1 }],
      });
      expect(sale.statusCode).toBe(503);
      expect(sale.json()).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        message: expect.stringMatching(/takes no writes.*nothing was written/),
      });
      const health = await readOnly.request({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({
        error: { database: { status: 'down', writable: false } },
      });
      const ready = await readOnly.request({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({
        details: { database: { status: 'up', writable: false } },
      });
      expect(await stockOf(writable, storeId, productId)).toMatchObject({ quantity: 5 });
    });
  });
});
