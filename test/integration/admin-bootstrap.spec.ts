import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';

describe('first admin from ADMIN_USERNAME / ADMIN_PASSWORD', () => {
  let api: TestApp;
  let second: TestApp | undefined;
  const env = { ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'chief-password-1' };

  beforeAll(async () => {
    api = await startTestApp({ env });
  });
  afterAll(async () => {
    await second?.close();
    await api.close();
  });

  it('creates the admin on an empty database, who can sign in', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'chief', password: 'chief-password-1' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().user).toMatchObject({ role: 'admin', storeIds: [] });
  });

  it('is idempotent: another boot on the same database creates nobody', async () => {
    second = await startTestApp({
      env: { ...env, ADMIN_USERNAME: 'other' },
      databaseUrl: () => api.database.url,
    });
    const rows = await api.app.get(DataSource).query(`SELECT username FROM users`);
    expect(rows).toEqual([{ username: 'chief' }]);
  });
});
