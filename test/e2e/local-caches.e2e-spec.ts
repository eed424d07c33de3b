import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { bearer, login, seedStore, seedUser, signedIn } from '../support/auth';
import { seedProduct } from '../support/catalog';
import { eventually, sleep } from '../support/eventually';
import { PrivateRedis } from '../support/redis-server';
import { TcpProxy } from '../support/tcp-proxy';

/**
 * The auth guard trusts a checked session, and store lookups a read store, for
 * LOCAL_CACHE_SECONDS. Every change made through the API must still take effect at once on
 * every instance (Redis pub/sub), and a change made behind the API's back within that period.
 */
describe('Local caches of sessions and stores', () => {
  const me = (api: TestApp, token: string) =>
    api.request({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });
  /** The instance that made the change forgets at once; another one when the pub/sub message lands. */
  const PUBSUB_DELIVERY_MS = 250;
  const statusOnOther = async (request: () => Promise<{ statusCode: number }>, status: number) =>
    eventually(async () => expect((await request()).statusCode).toBe(status), PUBSUB_DELIVERY_MS);

  describe('two API instances on one database and Redis', () => {
    let first: TestApp;
    let second: TestApp;

    beforeAll(async () => {
      first = await startTestApp({ env: { LOCAL_CACHE_SECONDS: '300' } });
      second = await startTestApp({
        env: { LOCAL_CACHE_SECONDS: '300' },
        databaseUrl: () => first.database.url,
      });
    });
    afterAll(async () => {
      await second?.close();
      await first?.close();
    });

    it('logout on one instance ends the session on the other as soon as the message lands', async () => {
      const { token } = await signedIn(first, 'admin');
      expect((await me(second, token)).statusCode).toBe(200); // now cached on the second
      const logout = await first.request({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: bearer(token),
      });
      expect(logout.statusCode).toBe(204);
      expect((await me(first, token)).statusCode).toBe(401);
      await statusOnOther(() => me(second, token), 401);
    });

    it('deactivating a user on one instance refuses their session on the other', async () => {
      const { token: adminToken } = await signedIn(first, 'admin');
      const storeId = await seedStore(first);
      const cashier = await seedUser(first, 'cashier', [storeId]);
      const { accessToken } = await login(first, cashier.username);
      expect((await me(second, accessToken)).statusCode).toBe(200);
      const deactivate = await first.request({
        method: 'PATCH',
        url: `/api/v1/users/${cashier.id}`,
        headers: bearer(adminToken),
        payload: { active: false },
      });
      expect(deactivate.statusCode).toBe(200);
      expect((await me(first, accessToken)).statusCode).toBe(401);
      await statusOnOther(() => me(second, accessToken), 401);
    });

    it('moving a user to another store changes what they see on the other instance', async () => {
      const { token: adminToken } = await signedIn(first, 'admin');
      const [oldStore, newStore] = [await seedStore(first), await seedStore(first)];
      const manager = await seedUser(first, 'manager', [oldStore]);
      const { accessToken } = await login(first, manager.username);
      const store = (id: string) =>
        second.request({
          method: 'GET',
          url: `/api/v1/stores/${id}`,
          headers: bearer(accessToken),
        });
      expect((await store(oldStore)).statusCode).toBe(200);
      const move = await first.request({
        method: 'PATCH',
        url: `/api/v1/users/${manager.id}`,
        headers: bearer(adminToken),
        payload: { storeIds: [newStore] },
      });
      expect(move.statusCode).toBe(200);
      await statusOnOther(() => store(oldStore), 404);
      expect((await store(newStore)).statusCode).toBe(200);
    });

    it('a store deactivated on one instance refuses sales on the other', async () => {
      const { token: adminToken } = await signedIn(first, 'admin');
      const storeId = await seedStore(first);
      const read = () =>
        second.request({
          method: 'GET',
          url: `/api/v1/stores/${storeId}`,
          headers: bearer(adminToken),
        });
      expect((await read()).json()).toMatchObject({ active: true }); // now cached on the second
      const deactivate = await first.request({
        method: 'PATCH',
        url: `/api/v1/stores/${storeId}`,
        headers: bearer(adminToken),
        payload: { active: false },
      });
      expect(deactivate.statusCode).toBe(200);
      await eventually(
        async () => expect((await read()).json()).toMatchObject({ active: false }),
        PUBSUB_DELIVERY_MS,
      );
      const sale = await second.request({
        method: 'POST',
        url: '/api/v1/sales',
        headers: { ...bearer(adminToken), 'idempotency-key': randomUUID() },
        payload: {
          storeId,
          items: [{ productId: await seedProduct(first), quantity: 1 }],
          payments: [{ method: 'cash', amount: 11600 }],
        },
      });
      expect(sale.statusCode).toBe(400);
      expect(sale.json().details).toEqual([
        { field: 'storeId', problems: ['the store is inactive'] },
      ]);
    });
  });

  describe('an instance whose Redis connection fails without a word', () => {
    let direct: TestApp;
    let proxied: TestApp;
    let proxy: TcpProxy;

    beforeAll(async () => {
      const redisUrl = new URL(process.env.TEST_REDIS_URL as string);
      proxy = await TcpProxy.start({ host: redisUrl.hostname, port: Number(redisUrl.port) });
      redisUrl.port = String(proxy.port);
      direct = await startTestApp({ env: { LOCAL_CACHE_SECONDS: '300' } });
      proxied = await startTestApp({
        env: { LOCAL_CACHE_SECONDS: '300', REDIS_URL: redisUrl.toString() },
        databaseUrl: () => direct.database.url,
      });
    });
    afterAll(async () => {
      await proxied?.close();
      await direct?.close();
      await proxy?.cut();
    });

    it('notices a subscription that went silent within seconds and stops trusting its cache', async () => {
      const { token } = await signedIn(direct, 'admin');
      expect((await me(proxied, token)).statusCode).toBe(200); // cached on the proxied one
      proxy.stall();
      try {
        const logout = await direct.request({
          method: 'POST',
          url: '/api/v1/auth/logout',
          headers: bearer(token),
        });
        expect(logout.statusCode).toBe(204);
        // The message is lost on the silent flow; the heartbeat (5 s + 1 s timeout) notices.
        await eventually(async () => expect((await me(proxied, token)).statusCode).toBe(401));
      } finally {
        proxy.resume();
      }
    }, 30_000);

    it('sends a broadcast that failed again once Redis is reachable', async () => {
      const { token } = await signedIn(direct, 'admin');
      expect((await me(direct, token)).statusCode).toBe(200); // cached on the direct one
      await proxy.cut();
      try {
        const logout = await proxied.request({
          method: 'POST',
          url: '/api/v1/auth/logout',
          headers: bearer(token),
        });
        expect(logout.statusCode).toBe(204);
        await sleep(2500); // the broadcast has failed (1 s command timeout)
        expect((await me(direct, token)).statusCode).toBe(200); // not told yet
      } finally {
        await proxy.open();
      }
      await eventually(async () => expect((await me(direct, token)).statusCode).toBe(401));
    }, 30_000);
  });

  describe('changes made directly in the database', () => {
    let api: TestApp;
    let redis: PrivateRedis;

    beforeAll(async () => {
      redis = await PrivateRedis.start();
      // 3 s: the cached answer must still be within it after a slow moment of the machine.
      api = await startTestApp({ env: { REDIS_URL: redis.url, LOCAL_CACHE_SECONDS: '3' } });
    });
    afterAll(async () => {
      await api?.close();
      await redis?.stop();
    });

    const revokeInSql = (sessionOf: string) =>
      api.app
        .get(DataSource)
        .query(
          `UPDATE sessions SET revoked_at = now(), revoked_reason = 'logout' WHERE user_id = $1`,
          [sessionOf],
        );

    it('are honoured within LOCAL_CACHE_SECONDS', async () => {
      const { user, token } = await signedIn(api, 'admin');
      expect((await me(api, token)).statusCode).toBe(200);
      await revokeInSql(user.id);
      expect((await me(api, token)).statusCode).toBe(200); // trusted from the cache
      await sleep(3100);
      expect((await me(api, token)).statusCode).toBe(401);
    });

    it('are honoured at once while the invalidation channel is down (nothing is cached)', async () => {
      const { user, token } = await signedIn(api, 'admin');
      await redis.stop();
      try {
        await sleep(200);
        expect((await me(api, token)).statusCode).toBe(200);
        await revokeInSql(user.id);
        expect((await me(api, token)).statusCode).toBe(401);
      } finally {
        await redis.restart();
      }
    });
  });
});
