import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AuditService } from '../../src/modules/audit/audit.service';
import { startTestApp, TestApp } from '../support/app';

describe('audit log', () => {
  let api: TestApp;
  let audit: AuditService;
  let dataSource: DataSource;
  beforeAll(async () => {
    api = await startTestApp();
    audit = api.app.get(AuditService);
    dataSource = api.app.get(DataSource);
  });
  afterAll(() => api.close());

  /** The entries a test wrote, marked by their entity id. */
  async function entriesOf(marker: string) {
    return dataSource.query(
      'SELECT * FROM audit_logs WHERE entity_id = $1 ORDER BY occurred_at, id',
      [marker],
    );
  }

  /** Inserts entries one second apart, the first `count` seconds ago (newest last). */
  async function seed(entityType: string, count: number, action = 'sale.created') {
    await dataSource.query(
      `INSERT INTO audit_logs (occurred_at, action, entity_type, entity_id, details)
       SELECT timestamptz '2025-06-01T12:00:00Z' + g * interval '1 second', $1, $2, g::text,
              jsonb_build_object('n', g)
         FROM generate_series(1, $3::int) AS g`,
      [action, entityType, count],
    );
  }

  describe('record', () => {
    it('commits together with the transaction it joins', async () => {
      const userId = randomUUID();
      await dataSource.transaction((manager) =>
        audit.record(manager, {
          action: 'store.created',
          userId,
          username: 'jane.admin',
          entityType: 'store',
          entityId: 'committed',
          storeId: userId,
          ip: '203.0.113.7',
          userAgent: 'PosTill/2.3',
          details: { code: 'NBO1' },
        }),
      );
      const [entry] = await entriesOf('committed');
      expect(entry).toMatchObject({
        action: 'store.created',
        user_id: userId,
        username: 'jane.admin',
        entity_type: 'store',
        entity_id: 'committed',
        store_id: userId,
        ip: '203.0.113.7',
        user_agent: 'PosTill/2.3',
        details: { code: 'NBO1' },
      });
      expect(entry.occurred_at).toBeInstanceOf(Date);
    });

    it('leaves no entry when the transaction it joined rolls back', async () => {
      await expect(
        dataSource.transaction(async (manager) => {
          await audit.record(manager, {
            action: 'sale.created',
            entityType: 'sale',
            entityId: 'rolled-back',
          });
          throw new Error('the sale failed after its audit entry');
        }),
      ).rejects.toThrow('the sale failed');
      expect(await entriesOf('rolled-back')).toEqual([]);
    });

    it('refuses a manager that is not in a transaction', async () => {
      await expect(
        audit.record(dataSource.manager, {
          action: 'sale.created',
          entityType: 'sale',
          entityId: 'outside',
        }),
      ).rejects.toThrow(/open transaction/);
      expect(await entriesOf('outside')).toEqual([]);
    });

    it('clips an over-long username and user agent instead of failing the action', async () => {
      await dataSource.transaction((manager) =>
        audit.record(manager, {
          action: 'auth.login_failed',
          entityType: 'store',
          entityId: 'clipped',
          username: 'u'.repeat(300),
          userAgent: 'a'.repeat(900),
        }),
      );
      const [entry] = await entriesOf('clipped');
      expect(entry.username).toHaveLength(100);
      expect(entry.user_agent).toHaveLength(500);
    });
  });

  it('recordNow writes a standalone entry with database defaults', async () => {
    await audit.recordNow({
      action: 'auth.login',
      username: 'cashier1',
      entityType: 'session',
      entityId: 'standalone',
    });
    const [entry] = await entriesOf('standalone');
    expect(entry).toMatchObject({ action: 'auth.login', username: 'cashier1', details: {} });
    expect(entry.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(entry.occurred_at.getTime() - Date.now())).toBeLessThan(60_000);
  });

  describe('is append-only for the application database role', () => {
    let entry: Record<string, unknown>;
    beforeAll(async () => {
      await audit.recordNow({
        action: 'sale.created',
        entityType: 'sale',
        entityId: 'immutable',
        details: { a: 1 },
      });
      [entry] = await entriesOf('immutable');
    });

    it.each([
      ['UPDATE', `UPDATE audit_logs SET action = 'sale.returned' WHERE entity_id = 'immutable'`],
      ['DELETE', `DELETE FROM audit_logs WHERE entity_id = 'immutable'`],
      ['TRUNCATE', 'TRUNCATE audit_logs'],
    ])('refuses %s and keeps the entry unchanged', async (_operation, sql) => {
      await expect(dataSource.query(sql)).rejects.toThrow('audit_logs is append-only');
      expect(await entriesOf('immutable')).toEqual([entry]);
    });
  });

  describe('list', () => {
    const userId = randomUUID();
    beforeAll(async () => {
      await seed('listed', 5);
      await dataSource.query(
        `INSERT INTO audit_logs (occurred_at, user_id, action, entity_type, entity_id)
         VALUES ('2025-06-01T12:00:10Z', $1, 'transfer.approved', 'listed', '6')`,
        [userId],
      );
    });
    const base = { page: 1, pageSize: 50, entityType: 'listed' };
    const ids = (page: { data: { entityId: string | null }[] }) =>
      page.data.map((entry) => entry.entityId);

    it('returns entries newest first as API entries', async () => {
      const page = await audit.list(base);
      expect(ids(page)).toEqual(['6', '5', '4', '3', '2', '1']);
      expect(page.total).toBe(6);
      expect(page.data[1]).toEqual({
        id: expect.any(String),
        occurredAt: '2025-06-01T12:00:05.000Z',
        userId: null,
        username: null,
        action: 'sale.created',
        entityType: 'listed',
        entityId: '5',
        storeId: null,
        ip: null,
        userAgent: null,
        details: { n: 5 },
      });
    });

    it('filters by user, action and entity', async () => {
      expect(ids(await audit.list({ ...base, userId }))).toEqual(['6']);
      expect(ids(await audit.list({ ...base, action: 'sale.created' }))).toEqual([
        '5',
        '4',
        '3',
        '2',
        '1',
      ]);
      expect(ids(await audit.list({ ...base, entityId: '3' }))).toEqual(['3']);
      expect((await audit.list({ ...base, entityType: 'nothing-here' })).total).toBe(0);
    });

    it('takes `from` inclusive and `to` exclusive', async () => {
      const page = await audit.list({
        ...base,
        from: '2025-06-01T12:00:02Z',
        to: '2025-06-01T12:00:04Z',
      });
      expect(ids(page)).toEqual(['3', '2']);
      const offset = await audit.list({ ...base, from: '2025-06-01T15:00:05+03:00' });
      expect(ids(offset)).toEqual(['6', '5']);
    });

    it('pages with the total of every match', async () => {
      const page = await audit.list({ ...base, page: 2, pageSize: 4 });
      expect(page).toMatchObject({ page: 2, pageSize: 4, total: 6 });
      expect(ids(page)).toEqual(['2', '1']);
    });
  });

  describe('stream', () => {
    const count = 2500;
    beforeAll(() => seed('bulk', count));

    /** Seen from a connection of its own: the pool might otherwise hand back the leaked one. */
    async function openTransactions(): Promise<number> {
      const client = new Client({ connectionString: api.database.url });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT count(*)::int AS open FROM pg_stat_activity
            WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
        );
        return rows[0].open;
      } finally {
        await client.end();
      }
    }

    it('yields every matching entry, newest first, across cursor batches', async () => {
      let seen = 0;
      let previous = Infinity;
      for await (const entry of audit.stream({ entityType: 'bulk' })) {
        const n = (entry.details as { n: number }).n;
        expect(n).toBeLessThan(previous);
        previous = n;
        seen += 1;
      }
      expect(seen).toBe(count);
      expect(previous).toBe(1);
      expect(await openTransactions()).toBe(0);
    });

    it('applies the filters', async () => {
      const entries = [];
      for await (const entry of audit.stream({ entityType: 'bulk', entityId: '42' })) {
        entries.push(entry);
      }
      expect(entries).toEqual([expect.objectContaining({ entityId: '42', details: { n: 42 } })]);
    });

    it('releases its connection when the reader stops early', async () => {
      for await (const entry of audit.stream({ entityType: 'bulk' })) {
        expect(entry.entityType).toBe('bulk');
        break;
      }
      expect(await openTransactions()).toBe(0);
    });
  });
});
