import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OutboxDelivery } from '../../src/modules/notifications/outbox-delivery.service';
import { OutboxPruner } from '../../src/modules/notifications/outbox-pruner.service';
import { startTestApp, TestApp } from '../support/app';
import { eventually, sleep } from '../support/eventually';

/** An outbox row as a sender leaves it: delivered `deliveredDaysAgo` days ago, or pending. */
async function outboxRow(api: TestApp, deliveredDaysAgo: number | null): Promise<string> {
  const [row] = await api.app.get(DataSource).query(
    `INSERT INTO outbox (type, payload, created_at, attempts, delivered_at)
     VALUES ('low_stock', $1::jsonb, now() - interval '90 days', 1,
             now() - $2 * interval '1 day')
     RETURNING id`,
    [
      JSON.stringify({ storeId: randomUUID(), productId: randomUUID(), movementId: randomUUID() }),
      deliveredDaysAgo,
    ],
  );
  return row.id;
}

async function remaining(api: TestApp, ids: string[]): Promise<string[]> {
  const rows: { id: string }[] = await api.app
    .get(DataSource)
    .query('SELECT id FROM outbox WHERE id = ANY($1::uuid[])', [ids]);
  return rows.map((row) => row.id).sort();
}

describe('outbox pruning', () => {
  describe('with the default retention (30 days)', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({ env: { REDIS_URL: undefined } });
    });
    afterAll(() => api.close());

    it('deletes rows delivered before the retention period, and only those', async () => {
      const old = await outboxRow(api, 31);
      const recent = await outboxRow(api, 29);
      const pendingForMonths = await outboxRow(api, null);
      await api.app
        .get(DataSource)
        .query(`UPDATE outbox SET last_error = 'SMTP refused', attempts = 9 WHERE id = $1`, [
          pendingForMonths,
        ]);

      expect(await api.app.get(OutboxPruner).pruneDelivered()).toBe(1);
      expect(await remaining(api, [old, recent, pendingForMonths])).toEqual(
        [recent, pendingForMonths].sort(),
      );
      expect(await api.app.get(OutboxPruner).pruneDelivered()).toBe(0);
    });

    it('deletes in batches of 1000, oldest first', async () => {
      await api.app.get(DataSource).query(
        `INSERT INTO outbox (type, payload, delivered_at)
         SELECT 'low_stock', '{}'::jsonb, now() - interval '40 days' - n * interval '1 minute'
           FROM generate_series(1, 1001) AS n`,
      );
      const newestOld = await outboxRow(api, 35);
      expect(await api.app.get(OutboxPruner).pruneDelivered()).toBe(1000);
      expect(await remaining(api, [newestOld])).toEqual([newestOld]);
      expect(await api.app.get(OutboxPruner).pruneDelivered()).toBe(2);
    });

    it('a job run again for a pruned row sends nothing', async () => {
      const id = await outboxRow(api, 60);
      await api.app.get(OutboxPruner).pruneDelivered();
      expect(await api.app.get(OutboxDelivery).deliver(id)).toBe('missing');
    });
  });

  describe('in a process that polls the outbox', () => {
    let quiet: TestApp;
    beforeAll(async () => {
      quiet = await startTestApp({ env: { REDIS_URL: undefined } });
    });
    afterAll(() => quiet.close());

    /** Starts a second process on the same database, polling the outbox as production does. */
    async function pollingProcess(env: Record<string, string> = {}) {
      const polling = await startTestApp({
        env: { REDIS_URL: undefined, OUTBOX_POLL_MS: '60000', ...env },
        databaseUrl: () => quiet.database.url,
      });
      return polling;
    }

    it('prunes when it starts', async () => {
      const old = await outboxRow(quiet, 45);
      const polling = await pollingProcess();
      try {
        await eventually(async () => expect(await remaining(quiet, [old])).toEqual([]));
      } finally {
        await polling.close();
      }
    });

    it('keeps delivered rows forever with OUTBOX_RETENTION_DAYS=0', async () => {
      const old = await outboxRow(quiet, 3650);
      const polling = await pollingProcess({ OUTBOX_RETENTION_DAYS: '0' });
      try {
        await sleep(500);
        expect(await polling.app.get(OutboxPruner).pruneDelivered()).toBe(0);
        expect(await remaining(quiet, [old])).toEqual([old]);
      } finally {
        await polling.close();
      }
    });
  });
});
