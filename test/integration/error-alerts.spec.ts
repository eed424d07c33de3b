import { randomBytes } from 'node:crypto';
import { Controller, Get, INestApplicationContext, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '../../src/common/http/public.decorator';
import type { Env } from '../../src/config/env.schema';
import { ErrorAlerts } from '../../src/modules/alerts/error-alerts.service';
import { summarizeError } from '../../src/modules/alerts/error-fingerprint';
import {
  NOTIFICATIONS_QUEUE,
  NotificationsQueue,
} from '../../src/modules/notifications/notifications.queue';
import { OutboxComposers } from '../../src/modules/notifications/outbox-composers';
import type { ErrorAlertPayload } from '../../src/modules/notifications/outbox-message';
import { OutboxService } from '../../src/modules/notifications/outbox.service';
import { WorkerModule } from '../../src/worker.module';
import { startTestApp, TestApp } from '../support/app';
import { PrivateRedis } from '../support/redis-server';
import { SmtpSink } from '../support/smtp-sink';
import { eventually, sleep } from '../support/eventually';

const ADMINS = ['ops@example.com', 'oncall@example.com'];

@Public()
@Controller('alert-probe')
class AlertProbeController {
  @Get('same')
  same(): never {
    throw new Error('stock ledger out of balance for store 7');
  }

  @Get('other')
  other(): never {
    throw new TypeError("Cannot read properties of undefined (reading 'total')");
  }
}

@Module({ controllers: [AlertProbeController] })
class AlertProbeModule {}

interface AlertRow {
  id: string;
  payload: ErrorAlertPayload;
  delivered_at: Date | null;
}

function caught(work: () => unknown): Error {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('error alerts (production): HTTP 500s and failed jobs email ADMIN_EMAILS, throttled', () => {
  let smtp: SmtpSink;
  let redisServer: PrivateRedis;
  let redis: Redis;
  let api: TestApp;
  let worker: INestApplicationContext;
  let dataSource: DataSource;

  const alerts = async (): Promise<AlertRow[]> =>
    dataSource.query(
      `SELECT id, payload, delivered_at FROM outbox WHERE type = 'error_alert' ORDER BY created_at`,
    );
  const pendingCount = async (fingerprint: string) =>
    Number(await redis.hget(`pos:error-alert:{${fingerprint}}:pending`, 'count'));

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    // A private Redis: the throttle keys and queue of this file meet no other test's.
    redisServer = await PrivateRedis.start();
    redis = new Redis(redisServer.url);
    api = await startTestApp({
      imports: [AlertProbeModule],
      env: {
        NODE_ENV: 'production',
        REDIS_URL: redisServer.url,
        SMTP_URL: smtp.url,
        JWT_SECRET: randomBytes(32).toString('hex'),
        ADMIN_EMAILS: ADMINS.join(', '),
        LOG_LEVEL: 'silent',
        OUTBOX_POLL_MS: '50',
        OUTBOX_BACKOFF_MS: '100',
      },
    });
    dataSource = api.app.get(DataSource);
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(), { logger: false });
    await worker.init();
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    redis?.disconnect();
    await redisServer?.stop();
    await smtp?.stop();
    for (const key of ['NODE_ENV', 'ADMIN_EMAILS', 'SMTP_URL', 'JWT_SECRET', 'LOG_LEVEL'])
      delete process.env[key];
    process.env.NODE_ENV = 'test';
  });

  it('two identical 500s: one alert, one email to every admin; the second is only counted', async () => {
    const first = await api.request({ method: 'GET', url: '/api/v1/alert-probe/same' });
    const second = await api.request({ method: 'GET', url: '/api/v1/alert-probe/same' });
    expect([first.statusCode, second.statusCode]).toEqual([500, 500]);
    expect(first.json().message).toBe('Internal server error'); // nothing leaks to the client

    const [row] = await eventually(async () => {
      const rows = await alerts();
      expect(rows).toHaveLength(1);
      return rows;
    });
    const { fingerprint } = row.payload;
    await eventually(async () => expect(await pendingCount(fingerprint)).toBe(1));
    expect(row.payload).toMatchObject({
      message: 'stock ledger out of balance for store 7',
      count: 1,
      requestId: first.headers['x-request-id'],
      source: 'GET /api/v1/alert-probe/same',
      frame: expect.stringContaining('AlertProbeController.same'),
    });
    const gateTtl = await redis.pttl(`pos:error-alert:{${fingerprint}}:gate`);
    expect(gateTtl).toBeGreaterThan(9 * 60_000);
    expect(gateTtl).toBeLessThanOrEqual(10 * 60_000);

    // Relayed through BullMQ, sent by the worker.
    const mail = await eventually(() => {
      const [message, ...more] = smtp.withMessageId(`<${row.id}@pos.local>`);
      expect(message).toBeDefined();
      expect(more).toEqual([]);
      return message;
    });
    expect(mail.recipients.sort()).toEqual([...ADMINS].sort());
    expect(mail.subject).toBe('[POS error] stock ledger out of balance for store 7');
    expect(mail.text).toContain(`Request id:        ${first.headers['x-request-id']}`);
    await sleep(200);
    expect(await alerts()).toHaveLength(1);
  });

  it('a different error: another alert', async () => {
    const response = await api.request({ method: 'GET', url: '/api/v1/alert-probe/other' });
    expect(response.statusCode).toBe(500);
    const rows = await eventually(async () => {
      const found = await alerts();
      expect(found).toHaveLength(2);
      return found;
    });
    expect(rows[1].payload.message).toContain("reading 'total'");
    expect(rows[1].payload.fingerprint).not.toBe(rows[0].payload.fingerprint);
  });

  it('the window is shared through Redis: the worker stays quiet about the same error', async () => {
    const error = caught(() => new AlertProbeController().same());
    const { fingerprint } = summarizeError(error);
    const before = await pendingCount(fingerprint);
    await expect(worker.get(ErrorAlerts).report(error, { source: 'test' })).resolves.toBeNull();
    expect(await pendingCount(fingerprint)).toBe(before + 1);
    expect(await alerts()).toHaveLength(2);
  });

  it('client errors do not alert', async () => {
    const response = await api.request({ method: 'GET', url: '/api/v1/no-such-route' });
    expect(response.statusCode).toBe(404);
    await sleep(100);
    expect(await alerts()).toHaveLength(2);
  });

  it('a job that failed its last attempt alerts the admins', async () => {
    // A message type this version cannot send, kept away from the pollers; queued by hand with
    // a single attempt so that its first failure is its last.
    const [{ id }] = await dataSource.query(
      `INSERT INTO outbox (type, payload, next_attempt_at)
       VALUES ('mystery', '{}', now() + interval '1 day') RETURNING id`,
    );
    const queue: NotificationsQueue = api.app.get(NOTIFICATIONS_QUEUE);
    await queue.add('mystery', { outboxId: id }, { jobId: id, attempts: 1 });
    const alert = await eventually(async () => {
      const found = (await alerts()).find((row) => row.payload.source.startsWith('job mystery'));
      expect(found).toBeDefined();
      return found as AlertRow;
    });
    expect(alert.payload.message).toBe("Unknown outbox message type 'mystery'");
    expect(alert.payload.source).toContain(id);
    expect(alert.payload.requestId).toBeNull();
  });

  it('without Redis each process throttles on its own', async () => {
    const config = api.app.get(ConfigService);
    const alone = new ErrorAlerts(
      dataSource,
      api.app.get(OutboxService),
      new OutboxComposers(),
      null,
      config,
    );
    const error = caught(() => {
      throw new Error(`local only ${randomBytes(4).toString('hex')}`);
    });
    const id = await alone.report(error, { source: 'test' });
    expect(id).toEqual(expect.any(String));
    await expect(alone.report(error, { source: 'test' })).resolves.toBeNull();
    const [row] = await dataSource.query('SELECT payload FROM outbox WHERE id = $1', [id]);
    expect(row.payload).toMatchObject({ count: 1, source: 'test', requestId: null });
  });

  it('outside production nothing is reported', async () => {
    const development = new ConfigService<Env, true>({
      NODE_ENV: 'development',
      ADMIN_EMAILS: ADMINS,
    });
    const quiet = new ErrorAlerts(
      dataSource,
      api.app.get(OutboxService),
      new OutboxComposers(),
      null,
      development,
    );
    expect(quiet.enabled).toBe(false);
    await expect(quiet.report(new Error('dev'), { source: 'test' })).resolves.toBeNull();
  });
});
