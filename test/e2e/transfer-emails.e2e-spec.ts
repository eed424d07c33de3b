import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from '../../src/worker.module';
import { startTestApp, TestApp } from '../support/app';
import { PrivateRedis } from '../support/redis-server';
import { SmtpSink } from '../support/smtp-sink';
import {
  decideTransfer,
  requestTransfer,
  seedTransferWorld,
  stockedAtSource,
  TransferWorld,
} from '../support/transfers';
import { eventually } from '../support/eventually';

const EMAILS = {
  sourceManager: 'manager@source.example',
  destCashier: 'cashier@dest.example',
  destManager: 'manager@dest.example',
  bothManager: 'both@stores.example',
};

/** Embedded mode (no Redis): the API delivers the outbox itself, to a real SMTP server. */
describe('transfer emails', () => {
  let api: TestApp;
  let smtp: SmtpSink;
  let world: TransferWorld;
  let route: string;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    api = await startTestApp({
      env: {
        REDIS_URL: undefined,
        SMTP_URL: smtp.url,
        OUTBOX_POLL_MS: '50',
        OUTBOX_BACKOFF_MS: '100',
      },
    });
    world = await seedTransferWorld(api, EMAILS);
    route = `${world.codes.source} → ${world.codes.dest}`;
  });
  afterAll(async () => {
    await api.close();
    await smtp.stop();
  });

  const mailsAbout = (transferId: string) =>
    smtp.messages.filter((mail) => mail.text.includes(transferId));
  const sourceManagers = ['both@stores.example', 'manager@source.example'];

  it('the requester and the source managers receive the request and the rejection', async () => {
    const productId = await stockedAtSource(api, world, 10, { name: 'Pishori <Rice> & Co' });
    const created = await requestTransfer(api, world.tokens.destCashier, {
      fromStoreId: world.source,
      toStoreId: world.dest,
      items: [{ productId, quantity: 7 }],
      note: 'For the <weekend>',
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    await eventually(() => expect(mailsAbout(id)).toHaveLength(1));
    const [request] = mailsAbout(id);
    expect(request.subject).toBe(`Transfer request ${route}`);
    expect(request.recipients.sort()).toEqual([...sourceManagers, 'cashier@dest.example'].sort());
    expect(request.text).toMatch(/SKU-[0-9A-F]{8}\s+7\s+Pishori <Rice> & Co/);
    expect(request.text).toContain('For the <weekend>');
    expect(request.html).toContain('Pishori &lt;Rice&gt; &amp; Co');
    expect(request.html).toContain('For the &lt;weekend&gt;');
    expect(request.html).not.toContain('<Rice>');

    const rejected = await decideTransfer(api, world.tokens.sourceManager, id, 'reject', {
      reason: 'Stock is <reserved>',
    });
    expect(rejected.statusCode).toBe(200);
    await eventually(() => expect(mailsAbout(id)).toHaveLength(2));
    const decision = mailsAbout(id)[1];
    expect(decision.subject).toBe(`Transfer rejected: ${route}`);
    expect(decision.recipients.sort()).toEqual([...sourceManagers, 'cashier@dest.example'].sort());
    expect(decision.text).toContain('Stock is <reserved>');
    expect(decision.text).toMatch(/SKU-[0-9A-F]{8}\s+7\s+Pishori/);
    expect(decision.html).toContain('Stock is &lt;reserved&gt;');
  });

  it('announces approval and cancellation; a requester who is also a source manager gets one copy', async () => {
    const productId = await stockedAtSource(api, world, 10);
    const request = (token: string) =>
      requestTransfer(api, token, {
        fromStoreId: world.source,
        toStoreId: world.dest,
        items: [{ productId, quantity: 1 }],
      });
    const mine = (await request(world.tokens.bothManager)).json().id;
    expect((await decideTransfer(api, world.tokens.bothManager, mine, 'approve')).statusCode).toBe(
      200,
    );
    const withdrawn = (await request(world.tokens.destCashier)).json().id;
    expect(
      (await decideTransfer(api, world.tokens.destCashier, withdrawn, 'cancel')).statusCode,
    ).toBe(200);

    await eventually(() => expect(mailsAbout(mine)).toHaveLength(2));
    const approved = mailsAbout(mine).find((mail) => mail.subject.startsWith('Transfer approved'));
    expect(approved?.subject).toBe(`Transfer approved: ${route}`);
    expect(approved?.recipients.sort()).toEqual(sourceManagers);
    expect(approved?.text).toContain('The stock has moved');

    await eventually(() => expect(mailsAbout(withdrawn)).toHaveLength(2));
    const cancelled = mailsAbout(withdrawn).find((mail) => mail.subject.includes('cancelled'));
    expect(cancelled?.subject).toBe(`Transfer cancelled: ${route}`);
    expect(cancelled?.recipients.sort()).toEqual(
      [...sourceManagers, 'cashier@dest.example'].sort(),
    );
  });
});

/** With Redis: the API relays the outbox into BullMQ and the worker process sends the email. */
describe('transfer emails through the worker', () => {
  let redis: PrivateRedis;
  let smtp: SmtpSink;
  let api: TestApp;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    if (!PrivateRedis.available()) throw new Error('this test needs redis-server on PATH');
    redis = await PrivateRedis.start(); // its own Redis: no other test's worker takes these jobs
    smtp = await SmtpSink.start();
    api = await startTestApp({
      env: { REDIS_URL: redis.url, SMTP_URL: smtp.url, OUTBOX_POLL_MS: '50' },
    });
    // The worker reads the same environment (database, Redis, SMTP) that startTestApp set.
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(), { logger: false });
    await worker.init();
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await redis?.stop();
    await smtp?.stop();
  });

  it('the worker knows transfer messages: the request email arrives', async () => {
    const world = await seedTransferWorld(api, EMAILS);
    const productId = await stockedAtSource(api, world, 5);
    const created = await requestTransfer(api, world.tokens.destCashier, {
      fromStoreId: world.source,
      toStoreId: world.dest,
      items: [{ productId, quantity: 2 }],
    });
    const id = created.json().id;
    await eventually(() =>
      expect(smtp.messages.filter((mail) => mail.text.includes(id))).toHaveLength(1),
    );
    const [mail] = smtp.messages.filter((message) => message.text.includes(id));
    expect(mail.subject).toBe(`Transfer request ${world.codes.source} → ${world.codes.dest}`);
    expect(mail.recipients.sort()).toEqual(
      ['both@stores.example', 'cashier@dest.example', 'manager@source.example'].sort(),
    );
  });
});
