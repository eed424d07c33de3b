import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import {
  NOTIFICATIONS_QUEUE,
  NotificationsQueue,
} from '../../src/modules/notifications/notifications.queue';
import { NotificationsProcessor } from '../../src/modules/notifications/notifications.processor';
import type { LowStockPayload } from '../../src/modules/notifications/outbox-message';
import { OutboxDelivery } from '../../src/modules/notifications/outbox-delivery.service';
import { OutboxDispatcher } from '../../src/modules/notifications/outbox-dispatcher.service';
import { OutboxRelay } from '../../src/modules/notifications/outbox-relay.service';
import { OutboxService } from '../../src/modules/notifications/outbox.service';
import { WorkerModule } from '../../src/worker.module';
import { startTestApp, TestApp } from '../support/app';
import { seedStore, seedUser } from '../support/auth';
import { PrivateRedis } from '../support/redis-server';
import { SmtpSink } from '../support/smtp-sink';
import { eventually, sleep } from '../support/eventually';

// Short intervals keep the suite fast; production defaults are 1 s polls and a 5 s backoff base.
const FAST = { OUTBOX_POLL_MS: '50', OUTBOX_BACKOFF_MS: '100' };

interface OutboxRow {
  id: string;
  attempts: number;
  relayed_at: Date | null;
  claimed_until: Date | null;
  delivered_at: Date | null;
  last_error: string | null;
}

interface Fixture {
  storeId: string;
  productId: string;
  storeName: string;
  productName: string;
  sku: string;
  /** Everyone who should receive the alert. */
  recipients: string[];
}

function unique(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

/** Addresses compared as mail servers do in practice: case-insensitively, in any order. */
function normalized(addresses: string[]): string[] {
  return addresses.map((address) => address.toLowerCase()).sort();
}

/**
 * A store with a low-stock address list (one duplicated in another case), a manager and a
 * cashier with emails (only the manager is a recipient), and a product.
 */
async function seedFixture(
  api: TestApp,
  options: {
    storeName?: string;
    productName?: string;
    lowStockEmails?: string[];
    manager?: boolean;
  } = {},
): Promise<Fixture> {
  const dataSource = api.app.get(DataSource);
  const storeName = options.storeName ?? 'Nairobi CBD';
  const storeId = await seedStore(api, { name: storeName });
  const tag = randomBytes(3).toString('hex');
  const lowStockEmails = options.lowStockEmails ?? [`stock-${tag}@example.com`];
  await dataSource.query('UPDATE stores SET low_stock_emails = $2 WHERE id = $1', [
    storeId,
    lowStockEmails,
  ]);
  const recipients = [...lowStockEmails];
  if (options.manager ?? true) {
    const manager = await seedUser(api, 'manager', [storeId]);
    const managerEmail = `manager-${tag}@example.com`;
    await dataSource.query('UPDATE users SET email = $2 WHERE id = $1', [manager.id, managerEmail]);
    recipients.push(managerEmail);
    // Same address again, in other case: one email, not two.
    await dataSource.query('UPDATE stores SET low_stock_emails = $2 WHERE id = $1', [
      storeId,
      [...lowStockEmails, managerEmail.toUpperCase()],
    ]);
    const cashier = await seedUser(api, 'cashier', [storeId]);
    await dataSource.query('UPDATE users SET email = $2 WHERE id = $1', [
      cashier.id,
      `cashier-${tag}@example.com`,
    ]);
  }
  const sku = unique('MLK-').toUpperCase();
  const productName = options.productName ?? 'Milk 500ml';
  const [product] = await dataSource.query(
    `INSERT INTO products (sku, name, unit_price, reorder_level) VALUES ($1, $2, 6500, 5) RETURNING id`,
    [sku, productName],
  );
  return { storeId, productId: product.id, storeName, productName, sku, recipients };
}

/** Writes a low-stock outbox row the way the inventory service does: inside a transaction. */
async function writeAlert(
  api: TestApp,
  fixture: Fixture,
  facts: Partial<LowStockPayload> = {},
): Promise<string> {
  return api.app.get(DataSource).transaction((manager) =>
    api.app.get(OutboxService).add(manager, {
      type: 'low_stock',
      payload: {
        storeId: fixture.storeId,
        productId: fixture.productId,
        quantity: 3,
        reorderLevel: 5,
        movementId: randomUUID(),
        ...facts,
      },
    }),
  );
}

async function outboxRow(api: TestApp, id: string): Promise<OutboxRow> {
  const [row] = await api.app.get(DataSource).query('SELECT * FROM outbox WHERE id = $1', [id]);
  return row;
}

async function delivered(api: TestApp, id: string): Promise<OutboxRow> {
  return eventually(async () => {
    const row = await outboxRow(api, id);
    if (!row.delivered_at)
      throw new Error(`outbox ${id} not delivered yet: ${JSON.stringify(row)}`);
    return row;
  });
}

describe('low-stock notifications', () => {
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await SmtpSink.start();
  });
  afterAll(() => smtp.stop());
  beforeEach(() => {
    smtp.refuseNext(0);
    smtp.holdMessages(0);
  });

  describe('OutboxService.add', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({ env: { REDIS_URL: undefined, SMTP_URL: smtp.url } });
    });
    afterAll(() => api.close());

    it('refuses a manager that is not in a transaction', async () => {
      const fixture = await seedFixture(api);
      await expect(
        api.app.get(OutboxService).add(api.app.get(DataSource).manager, {
          type: 'low_stock',
          payload: {
            storeId: fixture.storeId,
            productId: fixture.productId,
            quantity: 1,
            reorderLevel: 5,
            movementId: randomUUID(),
          },
        }),
      ).rejects.toThrow(/open transaction/);
    });

    it('writes nothing when the transaction rolls back', async () => {
      const fixture = await seedFixture(api);
      let written = '';
      await expect(
        api.app.get(DataSource).transaction(async (manager) => {
          written = await api.app.get(OutboxService).add(manager, {
            type: 'low_stock',
            payload: {
              storeId: fixture.storeId,
              productId: fixture.productId,
              quantity: 1,
              reorderLevel: 5,
              movementId: randomUUID(),
            },
          });
          throw new Error('the stock movement failed after the crossing');
        }),
      ).rejects.toThrow('the stock movement failed');
      expect(written).toMatch(/^[0-9a-f-]{36}$/);
      expect(await outboxRow(api, written)).toBeUndefined();
    });

    it('pollers do not run under NODE_ENV=test unless OUTBOX_POLL_MS is set', async () => {
      const fixture = await seedFixture(api);
      const id = await writeAlert(api, fixture);
      await sleep(300);
      expect(await outboxRow(api, id)).toMatchObject({ attempts: 0, delivered_at: null });
      expect(smtp.withMessageId(`<${id}@pos.local>`)).toHaveLength(0);
    });
  });

  describe('embedded mode (no REDIS_URL): the in-process dispatcher', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({ env: { REDIS_URL: undefined, SMTP_URL: smtp.url, ...FAST } });
    });
    afterAll(() => api.close());

    it('sends exactly one email naming store, product, SKU, quantity and reorder level', async () => {
      const fixture = await seedFixture(api);
      const id = await writeAlert(api, fixture, { quantity: 3, reorderLevel: 5 });
      const row = await delivered(api, id);
      expect(row).toMatchObject({ attempts: 1, claimed_until: null, last_error: null });

      await sleep(200); // a few more polls: still one
      const mails = smtp.withMessageId(`<${id}@pos.local>`);
      expect(mails).toHaveLength(1);
      const [mail] = mails;
      expect(normalized(mail.recipients)).toEqual(normalized(fixture.recipients));
      expect(mail.recipients.filter((recipient) => /^cashier-/.test(recipient))).toEqual([]);
      expect(mail.subject).toBe(`Low stock at Nairobi CBD: Milk 500ml (SKU ${fixture.sku})`);
      expect(mail.from).toContain('no-reply@pos.local');
      for (const body of [mail.text, mail.html]) {
        expect(body).toContain('Nairobi CBD');
        expect(body).toContain('Milk 500ml');
        expect(body).toContain(fixture.sku);
      }
      expect(mail.text).toMatch(/Quantity in stock:\s+3\n/);
      expect(mail.text).toMatch(/Reorder level:\s+5\n/);
      expect(mail.html).toMatch(/<th[^>]*>Quantity in stock<\/th><td[^>]*>3<\/td>/);
      expect(mail.html).toMatch(/<th[^>]*>Reorder level<\/th><td[^>]*>5<\/td>/);
    });

    it('escapes names in the HTML body', async () => {
      const fixture = await seedFixture(api, {
        storeName: 'Tom & Jerry <Mall>',
        productName: '<script>alert("x")</script> Soda',
      });
      const id = await writeAlert(api, fixture);
      await delivered(api, id);
      const [mail] = smtp.withMessageId(`<${id}@pos.local>`);
      expect(mail.subject).toBe(
        `Low stock at Tom & Jerry <Mall>: <script>alert("x")</script> Soda (SKU ${fixture.sku})`,
      );
      expect(mail.html).not.toContain('<script>');
      expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Soda');
      expect(mail.html).toContain('Tom &amp; Jerry &lt;Mall&gt;');
      expect(mail.text).toContain('<script>alert("x")</script> Soda');
    });

    it('retries with backoff while SMTP refuses: delivered on the third attempt, one email', async () => {
      const fixture = await seedFixture(api);
      smtp.refuseNext(2);
      const id = await writeAlert(api, fixture);
      const row = await delivered(api, id);
      expect(row.attempts).toBe(3);
      expect(row.last_error).toMatch(/451/); // the last failure stays for the record
      expect(smtp.refused).toBeGreaterThanOrEqual(2);
      expect(smtp.withMessageId(`<${id}@pos.local>`)).toHaveLength(1);
    });

    it('settles a row without recipients with a note and sends nothing', async () => {
      const fixture = await seedFixture(api, { lowStockEmails: [], manager: false });
      const id = await writeAlert(api, fixture);
      const row = await delivered(api, id);
      expect(row.last_error).toMatch(/no recipients/);
      expect(smtp.withMessageId(`<${id}@pos.local>`)).toHaveLength(0);
    });

    it('sends nothing for rows of a transaction that rolled back', async () => {
      const fixture = await seedFixture(api);
      const before = smtp.messages.length;
      await expect(
        api.app.get(DataSource).transaction(async (manager) => {
          await api.app.get(OutboxService).add(manager, {
            type: 'low_stock',
            payload: {
              storeId: fixture.storeId,
              productId: fixture.productId,
              quantity: 0,
              reorderLevel: 5,
              movementId: randomUUID(),
            },
          });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await sleep(300);
      expect(
        smtp.messages
          .slice(before)
          .filter((mail) => mail.recipients.includes(fixture.recipients[0])),
      ).toEqual([]);
    });
  });

  describe('OutboxDelivery.deliver (the code path of both modes)', () => {
    let api: TestApp;
    let delivery: OutboxDelivery;
    beforeAll(async () => {
      // Pollers off: the tests call deliver() themselves.
      api = await startTestApp({
        env: {
          REDIS_URL: undefined,
          SMTP_URL: smtp.url,
          OUTBOX_POLL_MS: '0',
          OUTBOX_BACKOFF_MS: '100',
        },
      });
      delivery = api.app.get(OutboxDelivery);
    });
    afterAll(() => api.close());

    it('does not send a delivered row again (a worker killed after sending, then retried)', async () => {
      const fixture = await seedFixture(api);
      const id = await writeAlert(api, fixture);
      await expect(delivery.deliver(id)).resolves.toBe('delivered');
      await expect(delivery.deliver(id)).resolves.toBe('already-delivered');
      await expect(delivery.deliver(id)).resolves.toBe('already-delivered');
      expect(smtp.withMessageId(`<${id}@pos.local>`)).toHaveLength(1);
      expect((await outboxRow(api, id)).attempts).toBe(1);
    });

    it('lets exactly one of two concurrent senders send', async () => {
      const fixture = await seedFixture(api);
      const id = await writeAlert(api, fixture);
      const outcomes = await Promise.all([
        delivery.deliver(id),
        delivery.deliver(id),
        delivery.deliver(id),
      ]);
      expect(outcomes.filter((outcome) => outcome === 'delivered')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome !== 'delivered')).toEqual(
        expect.arrayContaining([expect.stringMatching(/^(busy|already-delivered)$/)]),
      );
      expect(smtp.withMessageId(`<${id}@pos.local>`)).toHaveLength(1);
    });

    it('leaves a row alone while another sender holds its lease', async () => {
      const fixture = await seedFixture(api);
      const id = await writeAlert(api, fixture);
      await api.app
        .get(DataSource)
        .query(
          `UPDATE outbox SET claimed_until = now() + interval '1 minute', attempts = 1 WHERE id = $1`,
          [id],
        );
      await expect(delivery.deliver(id)).resolves.toBe('busy');
      expect(smtp.withMessageId(`<${id}@pos.local>`)).toHaveLength(0);
    });

    it('sends again, with the same Message-ID, a row whose sender died before marking it', async () => {
      const fixture = await seedFixture(api);
      const id = await writeAlert(api, fixture);
      // The sender claimed it (attempt 1) and died: its lease has run out.
      await api.app
        .get(DataSource)
        .query(
          `UPDATE outbox SET claimed_until = now() - interval '1 second', attempts = 1 WHERE id = $1`,
          [id],
        );
      await expect(delivery.deliver(id)).resolves.toBe('delivered');
      expect(smtp.withMessageId(`<${id}@pos.local>`)).toHaveLength(1);
      expect((await outboxRow(api, id)).attempts).toBe(2);
    });

    it('records the failure and the next try, then rethrows', async () => {
      const fixture = await seedFixture(api);
      const id = await writeAlert(api, fixture);
      smtp.refuseNext(1, 550);
      await expect(delivery.deliver(id)).rejects.toThrow(/550/);
      const [row] = await api.app.get(DataSource).query(
        `SELECT attempts, claimed_until, delivered_at, last_error,
                  next_attempt_at > now() AS later FROM outbox WHERE id = $1`,
        [id],
      );
      expect(row).toMatchObject({
        attempts: 1,
        claimed_until: null,
        delivered_at: null,
        later: true,
      });
      expect(row.last_error).toMatch(/550/);
      await sleep(150);
      await expect(api.app.get(OutboxDispatcher).dispatchDue()).resolves.toBeGreaterThanOrEqual(1);
      expect((await outboxRow(api, id)).delivered_at).not.toBeNull();
    });

    it('sends to the store’s managers whether or not its list names them', async () => {
      const fixture = await seedFixture(api);
      const [listed, managerEmail] = fixture.recipients;
      await api.app
        .get(DataSource)
        .query('UPDATE stores SET low_stock_emails = $2 WHERE id = $1', [
          fixture.storeId,
          [listed],
        ]);
      const id = await writeAlert(api, fixture);
      await expect(delivery.deliver(id)).resolves.toBe('delivered');
      const [mail] = smtp.withMessageId(`<${id}@pos.local>`);
      expect(mail.recipients.sort()).toEqual([listed, managerEmail].sort());
    });

    it('settles, without retrying, a row whose every recipient does not exist (550 5.1.1)', async () => {
      const fixture = await seedFixture(api);
      const id = await writeAlert(api, fixture);
      smtp.refuseMailboxes(fixture.recipients);
      await expect(delivery.deliver(id)).resolves.toBe('skipped');
      const row = await outboxRow(api, id);
      expect(row.delivered_at).not.toBeNull();
      expect(row.last_error).toMatch(/^undeliverable: 550 5\.1\.1/);
      expect(smtp.withMessageId(`<${id}@pos.local>`)).toHaveLength(0);
      await expect(delivery.deliver(id)).resolves.toBe('already-delivered');
    });

    it('sends again, later, only to a recipient the SMTP server deferred (450)', async () => {
      const fixture = await seedFixture(api);
      const [listed, managerEmail] = fixture.recipients;
      const id = await writeAlert(api, fixture);
      smtp.deferMailboxes([listed]);
      await expect(delivery.deliver(id)).rejects.toThrow(/deferred/);
      const [row] = await api.app
        .get(DataSource)
        .query(
          `SELECT delivered_at, claimed_until, last_error, next_attempt_at > now() AS later FROM outbox WHERE id = $1`,
          [id],
        );
      expect(row).toMatchObject({ delivered_at: null, claimed_until: null, later: true });
      expect(row.last_error).toContain(`deferred by the SMTP server: ${listed}`);

      await expect(delivery.deliver(id)).resolves.toBe('delivered');
      await expect(delivery.deliver(id)).resolves.toBe('already-delivered');
      const mails = smtp.withMessageId(`<${id}@pos.local>`);
      expect(mails.map((mail) => normalized(mail.recipients))).toEqual([
        normalized([managerEmail]),
        normalized([listed]),
      ]);
    });

    it('tries again a deferred address whose domain is not ASCII, as the store wrote it', async () => {
      const written = `ops-${randomBytes(3).toString('hex')}@jõgeva.ee`;
      const onTheWire = written.replace('jõgeva.ee', 'xn--jgeva-dua.ee');
      const fixture = await seedFixture(api, { lowStockEmails: [written] });
      const id = await writeAlert(api, fixture);
      // On the envelope in ASCII (punycode), or as written where the server takes SMTPUTF8.
      smtp.deferMailboxes([written, onTheWire]);
      await expect(delivery.deliver(id)).rejects.toThrow(/deferred/);
      expect((await outboxRow(api, id)).last_error).toContain(written);
      await expect(delivery.deliver(id)).resolves.toBe('delivered');
      const [first, second] = smtp.withMessageId(`<${id}@pos.local>`);
      expect(first.recipients).toHaveLength(1); // the manager
      expect(second.recipients).toHaveLength(1);
      expect([written, onTheWire]).toContain(second.recipients[0]);
      expect((await outboxRow(api, id)).last_error).toBe(
        'sent on attempt 2 to the recipients deferred before',
      );
    });

    it('settles a deferred row whose owed recipient is no longer one', async () => {
      const fixture = await seedFixture(api);
      const [listed] = fixture.recipients;
      const id = await writeAlert(api, fixture);
      smtp.deferMailboxes([listed]);
      await expect(delivery.deliver(id)).rejects.toThrow(/deferred/);
      await api.app
        .get(DataSource)
        .query('UPDATE stores SET low_stock_emails = $2 WHERE id = $1', [fixture.storeId, []]);
      await expect(delivery.deliver(id)).resolves.toBe('skipped');
      expect(smtp.withMessageId(`<${id}@pos.local>`)).toHaveLength(1);
      expect((await outboxRow(api, id)).last_error).toMatch(/^no longer recipients/);
    });

    it('answers `missing` for an unknown id', async () => {
      await expect(delivery.deliver(randomUUID())).resolves.toBe('missing');
    });

    it('logs a row it could not claim, then rethrows (the dispatcher logs nothing itself)', async () => {
      const warned = jest.spyOn(Logger.prototype, 'warn');
      try {
        await expect(delivery.deliver('not-an-outbox-id')).rejects.toThrow(/uuid/);
        expect(warned.mock.calls.map(([message]) => String(message))).toContainEqual(
          expect.stringMatching(/^Outbox not-an-outbox-id: could not claim it \(.*uuid/),
        );
      } finally {
        warned.mockRestore();
      }
    });
  });

  describe('without SMTP_URL', () => {
    let api: TestApp;
    let dataDir: string;
    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'pos-mail-'));
      api = await startTestApp({
        env: { REDIS_URL: undefined, SMTP_URL: undefined, DATA_DIR: dataDir, OUTBOX_POLL_MS: '0' },
      });
    });
    afterAll(async () => {
      await api.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('writes the email as an .eml file under DATA_DIR/mail', async () => {
      const fixture = await seedFixture(api);
      const id = await writeAlert(api, fixture);
      await expect(api.app.get(OutboxDelivery).deliver(id)).resolves.toBe('delivered');
      const files = readdirSync(join(dataDir, 'mail'));
      expect(files).toHaveLength(1);
      expect(files[0]).toContain(id);
      const eml = readFileSync(join(dataDir, 'mail', files[0]), 'utf8');
      expect(eml).toContain(`Message-ID: <${id}@pos.local>`);
      expect(eml).toContain('Subject: Low stock at Nairobi CBD');
    });
  });

  describe('with Redis: relay into BullMQ and the worker process', () => {
    let redis: PrivateRedis;
    let api: TestApp;
    let worker: INestApplicationContext;
    let queue: NotificationsQueue;

    async function startWorker(): Promise<INestApplicationContext> {
      // Same environment as the API above (startTestApp set it): database, Redis, SMTP.
      const context = await NestFactory.createApplicationContext(WorkerModule.forRoot(), {
        logger: false,
      });
      await context.init();
      return context;
    }

    beforeAll(async () => {
      if (!PrivateRedis.available()) throw new Error('these tests need redis-server on PATH');
      redis = await PrivateRedis.start();
      api = await startTestApp({ env: { REDIS_URL: redis.url, SMTP_URL: smtp.url, ...FAST } });
      queue = api.app.get(NOTIFICATIONS_QUEUE);
      worker = await startWorker();
    });
    afterAll(async () => {
      await worker?.close();
      await api?.close();
      await redis?.stop();
    });

    it('the relay enqueues the row (job id = outbox id) and the worker sends exactly one email', async () => {
      const fixture = await seedFixture(api);
      const id = await writeAlert(api, fixture);
      const row = await delivered(api, id);
      expect(row.relayed_at).not.toBeNull();
      expect(row.attempts).toBe(1);
      const job = await queue.getJob(id);
      expect(job?.data).toEqual({ outboxId: id });
      expect(job?.name).toBe('low_stock');
      await eventually(async () => expect(await job?.getState()).toBe('completed'));
      await sleep(200);
      const [mail, ...more] = smtp.withMessageId(`<${id}@pos.local>`);
      expect(more).toEqual([]);
      expect(normalized(mail.recipients)).toEqual(normalized(fixture.recipients));
      expect(mail.subject).toBe(`Low stock at Nairobi CBD: Milk 500ml (SKU ${fixture.sku})`);
    });

    it('a relay that runs twice on the same row makes one job and one email', async () => {
      const processor = worker.get(NotificationsProcessor);
      await processor.worker.pause();
      try {
        const fixture = await seedFixture(api);
        const id = await writeAlert(api, fixture);
        await eventually(async () => expect((await outboxRow(api, id)).relayed_at).not.toBeNull());
        // As if the relay had died before recording it: the row is relayed again.
        await api.app
          .get(DataSource)
          .query('UPDATE outbox SET relayed_at = NULL WHERE id = $1', [id]);
        await api.app.get(OutboxRelay).relayDue();
        await api.app.get(OutboxRelay).relayDue();
        expect((await outboxRow(api, id)).relayed_at).not.toBeNull();
        const waiting = await queue.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
        expect(waiting.filter((job) => job.data.outboxId === id).map((job) => job.id)).toEqual([
          id,
        ]);
      } finally {
        processor.worker.resume();
      }
      const rows: { id: string }[] = await api.app
        .get(DataSource)
        .query('SELECT id FROM outbox WHERE delivered_at IS NULL');
      for (const { id } of rows) await delivered(api, id);
      await sleep(200);
      for (const { id } of rows) expect(smtp.withMessageId(`<${id}@pos.local>`)).toHaveLength(1);
    });

    it('BullMQ retries while SMTP refuses: delivered on the third attempt, one email', async () => {
      const fixture = await seedFixture(api);
      smtp.refuseNext(2);
      const id = await writeAlert(api, fixture);
      const row = await delivered(api, id);
      expect(row.attempts).toBe(3);
      const job = await queue.getJob(id);
      await eventually(async () => expect(await job?.getState()).toBe('completed'));
      expect((await queue.getJob(id))?.attemptsMade).toBe(3);
      expect(smtp.withMessageId(`<${id}@pos.local>`)).toHaveLength(1);
    });

    it('a job run again after its row was delivered sends nothing (worker killed after sending)', async () => {
      const fixture = await seedFixture(api);
      const id = await writeAlert(api, fixture);
      await delivered(api, id);
      const first = await queue.getJob(id);
      await eventually(async () => expect(await first?.getState()).toBe('completed'));
      // BullMQ runs a job again when the worker died before acknowledging it.
      await first?.remove();
      await queue.add('low_stock', { outboxId: id }, { jobId: id });
      const again = await eventually(async () => {
        const job = await queue.getJob(id);
        expect(await job?.getState()).toBe('completed');
        return job;
      });
      expect(again?.returnvalue).toBe('already-delivered');
      expect(smtp.withMessageId(`<${id}@pos.local>`)).toHaveLength(1);
      expect((await outboxRow(api, id)).attempts).toBe(1);
    });

    it('a relayed job lost from Redis is relayed again after OUTBOX_RERELAY_MS', async () => {
      const processor = worker.get(NotificationsProcessor);
      await processor.worker.pause();
      let id = '';
      try {
        const fixture = await seedFixture(api);
        id = await writeAlert(api, fixture);
        const job = await eventually(async () => {
          const found = await queue.getJob(id);
          expect(found).toBeDefined();
          return found;
        });
        await job?.remove(); // lost (e.g. Redis restarted without persistence)
        await api.app
          .get(DataSource)
          .query(`UPDATE outbox SET relayed_at = now() - interval '1 hour' WHERE id = $1`, [id]);
      } finally {
        processor.worker.resume();
      }
      await delivered(api, id);
      expect(smtp.withMessageId(`<${id}@pos.local>`)).toHaveLength(1);
    });

    it('reports the queue in /health', async () => {
      const response = await api.request({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        details: { queue: { status: 'up', name: 'notifications', failed: expect.any(Number) } },
      });
    });

    it('reports the queue down while jobs wait with no worker, and up once one takes them', async () => {
      const fixture = await seedFixture(api);
      await worker.close();
      try {
        const id = await writeAlert(api, fixture);
        await eventually(async () => expect((await queue.getJob(id))?.id).toBe(id));
        const health = await api.request({ method: 'GET', url: '/health' });
        expect(health.statusCode).toBe(503);
        expect(health.json()).toMatchObject({
          error: { queue: { status: 'down', workers: 0, waiting: expect.any(Number) } },
        });
        expect(health.json().error.queue.waiting).toBeGreaterThan(0);
      } finally {
        worker = await startWorker();
      }
      await eventually(async () => {
        const health = await api.request({ method: 'GET', url: '/health' });
        expect(health.statusCode).toBe(200);
        expect(health.json().details.queue.workers).toBeGreaterThan(0);
      }, 20_000);

      // A job waiting out its backoff after a failed send needs a worker just the same.
      await worker.close();
      const retry = await queue.add(
        'low_stock',
        { outboxId: randomUUID() },
        { delay: 600_000, jobId: `health-${randomUUID()}` },
      );
      try {
        const health = await api.request({ method: 'GET', url: '/health' });
        expect(health.statusCode).toBe(503);
        expect(health.json()).toMatchObject({
          error: { queue: { status: 'down', workers: 0, waiting: 0, delayed: 1 } },
        });
      } finally {
        await retry.remove();
        worker = await startWorker();
      }
    }, 60_000);

    it('with Redis stopped when stock moves, the alert is delivered once Redis is back', async () => {
      const fixture = await seedFixture(api);
      await redis.stop();
      let id: string;
      try {
        id = await writeAlert(api, fixture); // the business transaction does not need Redis
        await sleep(400); // several relay ticks fail meanwhile
        // Not delivered while Redis is down (whether or not the relay managed to mark it yet).
        expect(await outboxRow(api, id)).toMatchObject({ delivered_at: null });
        const health = await api.request({ method: 'GET', url: '/health' });
        expect(health.statusCode).toBe(503);
        expect(health.json()).toMatchObject({ error: { queue: { status: 'down' } } });
      } finally {
        await redis.restart();
      }
      const row = await eventually(() => delivered(api, id), 20_000);
      expect(row.attempts).toBe(1);
      await sleep(200);
      expect(smtp.withMessageId(`<${id}@pos.local>`)).toHaveLength(1);
    }, 40_000);

    it('a graceful worker shutdown finishes the job in hand', async () => {
      const fixture = await seedFixture(api);
      smtp.holdMessages(1000); // the SMTP server answers slowly
      const id = await writeAlert(api, fixture);
      await eventually(async () => expect((await outboxRow(api, id)).claimed_until).not.toBeNull());
      await worker.close();
      const row = await outboxRow(api, id);
      expect(row.delivered_at).not.toBeNull();
      expect(row.claimed_until).toBeNull();
      expect(smtp.withMessageId(`<${id}@pos.local>`)).toHaveLength(1);
      const job = await queue.getJob(id);
      expect(await job?.getState()).toBe('completed');
      worker = await startWorker(); // for afterAll
    });
  });
});
