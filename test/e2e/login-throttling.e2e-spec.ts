import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { seedUser, TEST_PASSWORD } from '../support/auth';
import { createEmptyDatabase, TestDatabase } from '../support/database';
import { sleep } from '../support/eventually';
import { PrivateRedis } from '../support/redis-server';

const randomIp = () => `10.${[0, 0, 0].map(() => randomBytes(1)[0] % 250).join('.')}`;

function attempt(api: TestApp, username: string, password: string, ip: string) {
  return api.request({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
    remoteAddress: ip,
  });
}

/** 12 concurrent wrong passwords for one user from one IP: 5 are checked, 7 refused, then locked. */
async function expectBurstLimited(api: TestApp): Promise<void> {
  const user = await seedUser(api, 'cashier');
  const ip = randomIp();
  const responses = await Promise.all(
    Array.from({ length: 12 }, (_, i) => attempt(api, user.username, `guess-${i}`, ip)),
  );
  const statuses = responses.map((response) => response.statusCode);
  expect(statuses.filter((status) => status === 401)).toHaveLength(5);
  expect(statuses.filter((status) => status === 429)).toHaveLength(7);
  expect((await attempt(api, user.username, TEST_PASSWORD, ip)).statusCode).toBe(429);
}

describe('login throttling', () => {
  describe('two API instances on one Redis', () => {
    let first: TestApp;
    let second: TestApp;
    beforeAll(async () => {
      first = await startTestApp();
      second = await startTestApp({ databaseUrl: () => first.database.url });
    });
    afterAll(async () => {
      await second.close();
      await first.close();
    });

    it('count failures together: 3 on one instance and 2 on the other lock the username out on both', async () => {
      const user = await seedUser(first, 'cashier');
      const ip = randomIp();
      for (const api of [first, second, first, second, first]) {
        expect((await attempt(api, user.username, 'wrong-password', ip)).statusCode).toBe(401);
      }
      for (const api of [first, second]) {
        const response = await attempt(api, user.username, TEST_PASSWORD, ip);
        expect(response.statusCode).toBe(429);
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      }
    });

    it('a burst of concurrent guesses gets no more password checks than a sequence (5)', () =>
      expectBurstLimited(first));

    it('reservations left by a process that died expire, however often the till retries', async () => {
      const user = await seedUser(first, 'cashier');
      const ip = randomIp();
      const redis = new Redis(process.env.TEST_REDIS_URL as string);
      try {
        // Five sign-ins in flight when their process was killed (kept 60 s; here 400 ms).
        await redis.set(`pos:login:inflight:${ip}|${user.username}`, 5, 'PX', 400);
        const statuses: number[] = [];
        const deadline = Date.now() + 2000;
        while (Date.now() < deadline && statuses.at(-1) !== 200) {
          statuses.push((await attempt(first, user.username, TEST_PASSWORD, ip)).statusCode);
          await sleep(50);
        }
        expect(statuses[0]).toBe(429);
        expect(statuses.at(-1)).toBe(200);
      } finally {
        redis.disconnect();
      }
    });
  });

  describe('per-IP limit across usernames', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({ env: { LOGIN_IP_LIMIT: '3', LOGIN_IP_WINDOW_SECONDS: '60' } });
    });
    afterAll(() => api.close());

    it('answers 429 with Retry-After once one IP exceeds the limit, whatever the username', async () => {
      const ip = randomIp();
      for (let i = 0; i < 3; i++) {
        const response = await attempt(
          api,
          `someone${i}${randomBytes(2).toString('hex')}`,
          'wrong-password',
          ip,
        );
        expect(response.statusCode).toBe(401);
      }
      const limited = await attempt(api, 'yet-another-user', 'wrong-password', ip);
      expect(limited.statusCode).toBe(429);
      expect(limited.json().code).toBe('TOO_MANY_REQUESTS');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(
        (await attempt(api, 'yet-another-user', 'wrong-password', randomIp())).statusCode,
      ).toBe(401);
    });

    it('limits refresh calls from one IP the same way, apart from its logins', async () => {
      const ip = randomIp();
      const refresh = () =>
        api.request({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          payload: { refreshToken: randomBytes(32).toString('base64url') },
          remoteAddress: ip,
        });
      for (let i = 0; i < 3; i++) expect((await refresh()).statusCode).toBe(401);
      const limited = await refresh();
      expect(limited.statusCode).toBe(429);
      expect(limited.json().code).toBe('TOO_MANY_REQUESTS');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect((await attempt(api, 'someone-else', 'wrong-password', ip)).statusCode).toBe(401);
    });
  });

  describe('behind proxies (TRUST_PROXY)', () => {
    const failedLoginIps = async (api: TestApp, username: string): Promise<string[]> => {
      const rows: { ip: string }[] = await api.app
        .get(DataSource)
        .query(
          `SELECT ip FROM audit_logs WHERE action = 'auth.login_failed' AND username = $1 ORDER BY occurred_at`,
          [username],
        );
      return rows.map((row) => row.ip);
    };
    const viaProxy = (api: TestApp, username: string, forwardedFor: string) =>
      api.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password: 'wrong-password' },
        remoteAddress: '10.9.0.5',
        headers: { 'x-forwarded-for': forwardedFor },
      });

    describe('set to the load balancers that append to X-Forwarded-For', () => {
      let api: TestApp;
      beforeAll(async () => {
        api = await startTestApp({ env: { TRUST_PROXY: '10.9.0.0/16, loopback' } });
      });
      afterAll(() => api.close());

      it('takes the client from the right: an address the client forged does not count', async () => {
        const user = await seedUser(api, 'cashier');
        for (let i = 1; i <= 5; i++) {
          // The client sent "X-Forwarded-For: 198.51.100.i"; two balancers appended to it.
          const response = await viaProxy(
            api,
            user.username,
            `198.51.100.${i}, 203.0.113.7, 10.9.0.4`,
          );
          expect(response.statusCode).toBe(401);
        }
        expect((await viaProxy(api, user.username, '198.51.100.6, 203.0.113.7')).statusCode).toBe(
          429,
        );
        expect(await failedLoginIps(api, user.username)).toEqual(Array(5).fill('203.0.113.7'));
      });
    });

    describe('set to true behind a proxy that replaces the header', () => {
      let api: TestApp;
      beforeAll(async () => {
        api = await startTestApp({ env: { TRUST_PROXY: 'true' } });
      });
      afterAll(() => api.close());

      it('takes the forwarded address, and the peer address when the header holds no address', async () => {
        const user = await seedUser(api, 'cashier');
        expect((await viaProxy(api, user.username, '203.0.113.9')).statusCode).toBe(401);
        // Longer than the ip columns: the failed login was a 500 and went unaudited.
        expect((await viaProxy(api, user.username, 'x'.repeat(100))).statusCode).toBe(401);
        // An IPv6 address with a zone id of any length is still an address to net.isIP.
        expect((await viaProxy(api, user.username, `fe80::1%${'a'.repeat(100)}`)).statusCode).toBe(
          401,
        );
        expect(await failedLoginIps(api, user.username)).toEqual([
          '203.0.113.9',
          '10.9.0.5',
          '10.9.0.5',
        ]);
      });
    });
  });

  describe('on a database whose lower() folds non-ASCII letters (C.UTF-8)', () => {
    let api: TestApp;
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createEmptyDatabase('C.UTF-8');
      api = await startTestApp({
        databaseUrl: () => database.url,
        env: { DATABASE_MIGRATIONS_RUN: 'true' },
      });
    });
    afterAll(async () => {
      await api?.close();
      await database?.drop();
    });

    it('a lockout cannot be sidestepped by spelling the username with İ for i', async () => {
      const user = await seedUser(api, 'cashier', [], {
        username: `mili-${randomBytes(4).toString('hex')}`,
      });
      const ip = randomIp();
      for (let i = 0; i < 5; i++) await attempt(api, user.username, 'wrong-password', ip);
      expect((await attempt(api, user.username, TEST_PASSWORD, ip)).statusCode).toBe(429);
      // citext matches it to the user (lower('İ') = 'i' here); JavaScript's toLowerCase(),
      // which keys the lockout, does not: it would be a fresh count with five more tries.
      const folded = user.username.replace('i', '\u0130');
      expect((await attempt(api, folded, TEST_PASSWORD, ip)).statusCode).toBe(401);
    });
  });

  describe('without Redis (embedded mode)', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({ env: { REDIS_URL: undefined } });
    });
    afterAll(() => api.close());

    it('locks out in process memory', async () => {
      const user = await seedUser(api, 'cashier');
      const ip = randomIp();
      for (let i = 0; i < 5; i++) await attempt(api, user.username, 'wrong-password', ip);
      expect((await attempt(api, user.username, TEST_PASSWORD, ip)).statusCode).toBe(429);
    });

    it('a burst of concurrent guesses gets no more password checks than a sequence (5)', () =>
      expectBurstLimited(api));
  });

  describe('when Redis goes down', () => {
    let api: TestApp;
    let redis: PrivateRedis;
    beforeAll(async () => {
      redis = await PrivateRedis.start();
      api = await startTestApp({ env: { REDIS_URL: redis.url } });
    });
    afterAll(async () => {
      await api.close();
      await redis.stop();
    });

    it('logins keep working and failures are still limited (per instance)', async () => {
      await redis.stop();
      const user = await seedUser(api, 'cashier');
      expect((await attempt(api, user.username, TEST_PASSWORD, '127.0.0.1')).statusCode).toBe(200);
      const ip = randomIp();
      for (let i = 0; i < 5; i++)
        expect((await attempt(api, user.username, 'wrong-password', ip)).statusCode).toBe(401);
      expect((await attempt(api, user.username, TEST_PASSWORD, ip)).statusCode).toBe(429);
    });
  });
});
