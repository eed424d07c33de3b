import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DemoSeeder } from '../../src/modules/demo/demo-seeder.service';
import { startTestApp, TestApp } from '../support/app';
import { seedUser } from '../support/auth';

describe('demo data for npm start', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(() => api.close());

  const count = async (table: string) => {
    const [{ count }] = await api.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS count FROM ${table}`);
    return count as number;
  };

  it('seeds stores, logins, products and stock once, and the demo logins work', async () => {
    await api.app.get(DemoSeeder).seedOnce();
    await api.app.get(DemoSeeder).seedOnce();
    expect(await count('stores')).toBe(2);
    expect(await count('users')).toBe(5);
    expect(await count('products')).toBe(50);
    expect(await count('inventory')).toBe(100);
    const [{ mismatched }] = await api.app.get(DataSource).query(
      `SELECT count(*)::int AS mismatched FROM inventory i
        WHERE i.quantity <> (SELECT COALESCE(sum(delta), 0) FROM stock_movements m WHERE m.store_id = i.store_id AND m.product_id = i.product_id)`,
    );
    expect(mismatched).toBe(0);
    const login = await api.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'cashier.nbo', password: 'demo-cashier-pass' },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json().user.storeIds).toHaveLength(1);
  });

  it('prints the demo logins on a seeded database, every start', async () => {
    const logged = jest.spyOn(Logger.prototype, 'log');
    try {
      await api.app.get(DemoSeeder).seedOnce();
      expect(logged.mock.calls.map(([message]) => String(message))).toContainEqual(
        expect.stringMatching(/Demo logins/),
      );
    } finally {
      logged.mockRestore();
    }
  });

  describe('on a database that already has its own admin (ADMIN_USERNAME)', () => {
    let own: TestApp;
    beforeAll(async () => {
      own = await startTestApp();
    });
    afterAll(() => own.close());

    it('seeds nothing and prints no demo logins, which would not work', async () => {
      await seedUser(own, 'admin');
      const logged = jest.spyOn(Logger.prototype, 'log');
      const warned = jest.spyOn(Logger.prototype, 'warn');
      try {
        await own.app.get(DemoSeeder).seedOnce();
        expect(warned.mock.calls.map(([message]) => message)).toContain(
          'Users exist but no stores: demo data not seeded',
        );
        expect(logged.mock.calls.map(([message]) => String(message))).not.toContainEqual(
          expect.stringMatching(/Demo logins/),
        );
      } finally {
        logged.mockRestore();
        warned.mockRestore();
      }
      const [{ stores }] = await own.app
        .get(DataSource)
        .query('SELECT count(*)::int AS stores FROM stores');
      expect(stores).toBe(0);
    });
  });
});
