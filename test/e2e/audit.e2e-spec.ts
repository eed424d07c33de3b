import { ClientRequest, request } from 'node:http';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { bearer, signedIn } from '../support/auth';

const URL = '/api/v1/audit-logs';

describe('GET /api/v1/audit-logs', () => {
  let api: TestApp;
  let admin: { id: string; token: string };
  beforeAll(async () => {
    api = await startTestApp();
    const signedInAdmin = await signedIn(api, 'admin');
    admin = { id: signedInAdmin.user.id, token: signedInAdmin.token };
    await api.app.get(DataSource).query(
      `INSERT INTO audit_logs (occurred_at, action, entity_type, entity_id, username, details)
       SELECT timestamptz '2025-06-01T12:00:00Z' + g * interval '1 second', 'product.updated',
              'product', g::text, '=HYPERLINK("x")', jsonb_build_object('n', g, 'note', 'a,b')
         FROM generate_series(1, 300) AS g`,
    );
  });
  afterAll(() => api.close());

  /** Transactions other than our own on the test database (an unreleased export holds one). */
  async function exportTransactions(): Promise<number> {
    const client = new Client({ connectionString: api.database.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT count(*)::int AS open FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL`,
      );
      return rows[0].open;
    } finally {
      await client.end();
    }
  }

  async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const value = await read();
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((wait) => setTimeout(wait, 50));
    }
  }

  function get(query: string, token = admin.token) {
    return api.request({ method: 'GET', url: `${URL}${query}`, headers: bearer(token) });
  }

  it('lists entries for an admin, newest first, with the page envelope', async () => {
    const response = await get('?entityType=product&pageSize=2&page=2');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      data: [
        expect.objectContaining({ entityId: '298', occurredAt: '2025-06-01T12:04:58.000Z' }),
        expect.objectContaining({ entityId: '297', details: { n: 297, note: 'a,b' } }),
      ],
      page: 2,
      pageSize: 2,
      total: 300,
    });
  });

  it('finds an entity’s entries by its id alone', async () => {
    const response = await get('?entityId=297');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      data: [expect.objectContaining({ entityType: 'product', entityId: '297' })],
      total: 1,
    });
  });

  it("includes the admin's own sign-in, found by user and action", async () => {
    const response = await get(`?userId=${admin.id}&action=auth.login`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.total).toBe(1);
    expect(body.data[0]).toMatchObject({ userId: admin.id, action: 'auth.login' });
  });

  it.each(['manager', 'cashier'] as const)('refuses a %s with 403 FORBIDDEN', async (role) => {
    const { token } = await signedIn(api, role, []);
    const response = await get('', token);
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('FORBIDDEN');
  });

  it('refuses a request without a token with 401 UNAUTHENTICATED', async () => {
    const response = await api.request({ method: 'GET', url: URL });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('UNAUTHENTICATED');
  });

  it('rejects invalid filters with 400 VALIDATION_FAILED naming each field', async () => {
    const response = await get('?userId=42&action=sale.deleted&from=yesterday&pageSize=500&x=1');
    expect(response.statusCode).toBe(400);
    const fields = response.json().details.map((detail: { field: string }) => detail.field);
    expect(fields.sort()).toEqual(['action', 'from', 'pageSize', 'userId', 'x']);
  });

  it('exports every matching entry as a CSV attachment, unpaged', async () => {
    const response = await get('?format=csv&entityType=product&pageSize=10');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="audit-logs.csv"');
    const lines = response.body.split('\r\n');
    expect(lines[0]).toBe(
      'id,occurredAt,userId,username,action,entityType,entityId,storeId,ip,userAgent,details',
    );
    expect(lines).toHaveLength(1 + 300 + 1); // header, entries, empty after the last CRLF
    expect(lines[1]).toMatch(
      /^[0-9a-f-]{36},2025-06-01T12:05:00\.000Z,,"'=HYPERLINK\(""x""\)",product\.updated,product,300,,,,"\{""n"":300,""note"":""a,b""\}"$/,
    );
  });

  it('releases the export cursor when the client goes away mid-download', async () => {
    await api.app.get(DataSource).query(
      `INSERT INTO audit_logs (action, entity_type, user_agent)
       SELECT 'sale.created', 'abandoned', repeat('x', 400) FROM generate_series(1, 50000)`,
    );
    await api.app.listen(0, '127.0.0.1');
    const { port } = api.app.getHttpServer().address() as { port: number };
    const download = await new Promise<ClientRequest>((started, fail) => {
      const pending = request(
        { port, path: `${URL}?format=csv&entityType=abandoned`, headers: bearer(admin.token) },
        (response) => {
          expect(response.statusCode).toBe(200);
          response.once('data', () => {
            response.pause();
            started(pending);
          });
        },
      );
      pending.on('error', fail).end();
    });
    // 20 MB cannot have gone out in the first chunk: the export is open, in its cursor.
    expect(await eventually(exportTransactions, (open) => open === 1)).toBe(1);
    download.destroy();
    expect(await eventually(exportTransactions, (open) => open === 0)).toBe(0);
  });
});
