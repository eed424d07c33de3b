import { get, IncomingMessage } from 'node:http';
import type { Client } from 'pg';
import { eventually, sleep } from '../support/eventually';
import { getOver } from './support/http';
import { NodeProcess, ServiceEnv } from './support/node-process';
import type { StallingSmtpSink } from './support/stalling-smtp';
import {
  StallingMailServices,
  startStallingMailServices,
  stopStallingMailServices,
} from './support/stalling-mail-services';
import { startTogether } from './support/start-together';
import { loginOver, saleOver, seedWorld, StoreWorld } from './support/world';

/**
 * Ctrl-C on `npm start` reaches the process twice: from the terminal (the whole process group)
 * and from npm, which forwards the signals it gets to its child. A process that listened with
 * `once` had no listener left for the second one and was killed by it in the middle of its
 * drain: requests cut, the embedded database orphaned, the job in hand abandoned. The second
 * signal here comes while the first one's drain is still waiting on work in flight.
 */
describe('the same stop signal twice while draining (Ctrl-C under npm)', () => {
  let services: StallingMailServices | undefined;
  let db: Client;
  let sink: StallingSmtpSink;
  let env: ServiceEnv;
  const processes: NodeProcess[] = [];
  let world: StoreWorld;

  beforeAll(async () => {
    services = await startStallingMailServices({ OUTBOX_POLL_MS: '200' });
    ({ db, sink, env } = services);
    world = await seedWorld(env.DATABASE_URL, { products: 2, stock: 10, reorderLevel: 5 });
  });

  afterAll(() => stopStallingMailServices(processes, services));

  it('the API answers the sale it was making, reports not ready meanwhile, and exits 0', async () => {
    const [api] = await startTogether(processes, [
      NodeProcess.api({ ...env, SHUTDOWN_GRACE_MS: '1000' }, 'api'),
    ]);
    const baseUrl = api.baseUrl as string;
    const token = await loginOver(baseUrl, world.cashierUsernames[0]);
    const [productId] = world.productIds;

    // Hold the product's stock row, so the sale waits inside its transaction.
    await db.query('BEGIN');
    await db.query('SELECT 1 FROM inventory WHERE store_id = $1 AND product_id = $2 FOR UPDATE', [
      world.storeId,
      productId,
    ]);
    const sale = saleOver(baseUrl, token, world.storeId, [{ productId, quantity: 1 }]);
    await eventually(async () => {
      const waiting = await db.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      expect(waiting.rowCount).toBe(1);
    });

    api.signal('SIGINT');
    await sleep(200);
    api.signal('SIGINT');
    await sleep(200);
    expect(api.running).toBe(true);
    expect((await getOver(baseUrl, '/ready')).status).toBe(503);

    await sleep(1000); // past the grace period: app.close() now waits for the sale
    expect(api.running).toBe(true);
    await db.query('ROLLBACK');
    expect((await sale).status).toBe(201);
    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(api.logs).toMatch(/Stopped cleanly/);
  });

  it('the API finishes a CSV export that began before the signal, then exits 0 at once', async () => {
    const [api] = await startTogether(processes, [
      NodeProcess.api({ ...env, SHUTDOWN_GRACE_MS: '500' }, 'api-export'),
    ]);
    const token = await loginOver(api.baseUrl as string, world.cashierUsernames[0]);
    await db.query(
      `INSERT INTO products (sku, name, unit_price)
       SELECT 'EXPORT-' || i, 'Export product ' || i, 100 + i % 900 FROM generate_series(1, 60000) i
       ON CONFLICT DO NOTHING`,
    );
    // A keep-alive client (Node's default agent) reads the first chunk, then stops reading.
    let body = 0;
    const response = await new Promise<IncomingMessage>((started, fail) => {
      get(
        `${api.baseUrl}/api/v1/products?format=csv&pageSize=200`,
        { headers: { authorization: `Bearer ${token}` } },
        (answer) => {
          answer.once('data', (chunk: Buffer) => {
            body += chunk.length;
            answer.pause();
            started(answer);
          });
        },
      ).on('error', fail);
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers.connection).not.toBe('close'); // it began before the drain

    api.signal('SIGTERM');
    await sleep(1000); // past the grace period: close() waits for the export
    expect(api.running).toBe(true);
    response.on('data', (chunk: Buffer) => (body += chunk.length)).resume();
    await new Promise((ended) => response.once('end', ended));
    expect(body).toBeGreaterThan(1_000_000);
    // Not after the 5 s the idle keep-alive connection would otherwise be kept open.
    const ending = await Promise.race([api.exited, sleep(3000).then(() => 'still running')]);
    expect(ending).toEqual({ code: 0, signal: null });
  });

  it('the worker finishes the email it is sending, marks it delivered, and exits 0', async () => {
    const [api, worker] = await startTogether(processes, [
      NodeProcess.api(env, 'api-2'),
      NodeProcess.worker(env, 'worker'),
    ]);
    sink.stall();
    const token = await loginOver(api.baseUrl as string, world.cashierUsernames[0]);
    // 10 → 5 units: the second product reaches its reorder level, one alert.
    const productId = world.productIds[1];
    const sale = await saleOver(api.baseUrl as string, token, world.storeId, [
      { productId, quantity: 5 },
    ]);
    expect(sale.status).toBe(201);
    await eventually(() => expect(sink.stalled).toHaveLength(1), 30_000);

    worker.signal('SIGINT');
    await sleep(200);
    worker.signal('SIGINT');
    await sleep(200);
    expect(worker.running).toBe(true);
    sink.answer();
    sink.release();

    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.logs).toMatch(/Stopped cleanly/);
    const alert = await db.query(
      `SELECT delivered_at IS NOT NULL AS delivered FROM outbox
        WHERE type = 'low_stock' AND payload->>'productId' = $1`,
      [productId],
    );
    expect(alert.rows).toEqual([{ delivered: true }]);
    expect(sink.accepted).toHaveLength(1);
  });
});
