import type { Client } from 'pg';
import { eventually, sleep } from '../support/eventually';
import { recordFigures } from './support/figures';
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
 * A worker SIGKILLed while it is sending two low-stock emails, each stalled inside the SMTP
 * transaction (the server has read the whole message and withholds its reply):
 * - row A: the server has not accepted its message when the worker dies (the case of the issue);
 * - row B: the server has accepted it, but the worker dies before it hears so and before it
 *   marks the row delivered (the one window the design leaves, RFC 1047).
 * A new worker then sends both. Promised: A is accepted exactly once; B is sent again, with the
 * same Message-ID (`<outbox-id@pos.local>`), so a receiver can recognise the copy as the same
 * message rather than a second alert; both rows end delivered.
 *
 * The dead worker's BullMQ jobs stay `active` until their lock (BullMQ's 30 s) runs out; then the
 * relay, finding the rows relayed over OUTBOX_RERELAY_MS ago and their lease expired, puts the
 * jobs back, and the new worker claims the rows again.
 */

// Lease and re-relay well under BullMQ's 30 s job lock (production: 120 s and 300 s).
const OUTBOX = {
  OUTBOX_POLL_MS: '200',
  OUTBOX_LEASE_MS: '10000',
  OUTBOX_RERELAY_MS: '2000',
  OUTBOX_BACKOFF_MS: '500',
};

interface OutboxRow {
  id: string;
  productId: string;
  attempts: number;
  leased: boolean;
  delivered: boolean;
}

function messageIdOf(row: OutboxRow): string {
  return `<${row.id}@pos.local>`;
}

describe('worker killed (SIGKILL) in the middle of sending', () => {
  let services: StallingMailServices | undefined;
  let db: Client;
  let sink: StallingSmtpSink;
  const processes: NodeProcess[] = [];
  let env: ServiceEnv;
  let world: StoreWorld;
  let apiUrl: string;
  let firstWorker: NodeProcess;

  async function outboxRows(): Promise<OutboxRow[]> {
    const result = await db.query<OutboxRow>(
      `SELECT id, payload->>'productId' AS "productId", attempts,
              COALESCE(claimed_until > now(), false) AS leased, delivered_at IS NOT NULL AS delivered
         FROM outbox WHERE type = 'low_stock'`,
    );
    return result.rows;
  }

  beforeAll(async () => {
    services = await startStallingMailServices(OUTBOX);
    ({ db, sink, env } = services);
    world = await seedWorld(env.DATABASE_URL, { products: 2, stock: 10, reorderLevel: 5 });
    const [api, worker] = await startTogether(processes, [
      NodeProcess.api(env, 'api'),
      NodeProcess.worker(env, 'worker-1'),
    ]);
    apiUrl = api.baseUrl!;
    firstWorker = worker;
  });

  afterAll(() => stopStallingMailServices(processes, services));

  it('sends after a restart: once if the server had not accepted, same Message-ID if it had', async () => {
    sink.stall();

    // One sale takes both products from 10 to their reorder level 5: two crossings, two rows.
    const token = await loginOver(apiUrl, world.cashierUsernames[0]);
    const sale = await saleOver(
      apiUrl,
      token,
      world.storeId,
      world.productIds.map((productId) => ({ productId, quantity: 5 })),
    );
    expect(sale.status).toBe(201);
    const rows = await outboxRows();
    expect(rows).toHaveLength(2);
    const [rowA, rowB] = world.productIds.map((productId) =>
      rows.find((row) => row.productId === productId),
    ) as [OutboxRow, OutboxRow];

    // The worker is inside both SMTP transactions: the server has read each message in full.
    await eventually(() => expect(sink.stalled).toHaveLength(2), 30_000);
    expect(sink.stalled.map((mail) => mail.messageId).sort()).toEqual(
      [messageIdOf(rowA), messageIdOf(rowB)].sort(),
    );
    for (const row of await outboxRows()) {
      expect(row).toMatchObject({ attempts: 1, leased: true, delivered: false });
    }

    // B: the server takes responsibility for the message; the worker never hears "250".
    sink.commit(messageIdOf(rowB));
    await firstWorker.kill();
    const killedAt = Date.now();
    // A: the connection died before the server accepted, so the server dropped the message.
    await eventually(() => expect(sink.abandonedWithMessageId(messageIdOf(rowA))).toHaveLength(1));

    sink.answer();
    processes.push(await NodeProcess.worker(env, 'worker-2'));
    await eventually(async () => {
      expect((await outboxRows()).every((row) => row.delivered)).toBe(true);
    }, 90_000);
    const recoveryMs = Date.now() - killedAt;
    // Long enough for a stray re-relay or a late retry to show up as an extra copy.
    await sleep(Number(OUTBOX.OUTBOX_RERELAY_MS) + 1000);

    const copiesA = sink.acceptedWithMessageId(messageIdOf(rowA)).length;
    const copiesB = sink.acceptedWithMessageId(messageIdOf(rowB)).length;
    recordFigures({
      scenario: 'worker SIGKILL mid-send, before SMTP accept',
      alertsExpected: 1,
      alertsSent: Math.min(copiesA, 1),
      lost: copiesA === 0 ? 1 : 0,
      duplicated: Math.max(copiesA - 1, 0),
      recoveryMs,
    });
    recordFigures({
      scenario: 'worker SIGKILL after SMTP accept (same Msg-ID)',
      alertsExpected: 1,
      alertsSent: Math.min(copiesB, 1),
      lost: copiesB === 0 ? 1 : 0,
      duplicated: Math.max(copiesB - 1, 0),
      recoveryMs,
    });

    expect(copiesA).toBe(1);
    // The resend is the same message: a receiver deduplicating by Message-ID shows one alert.
    expect(copiesB).toBe(2);
    expect(sink.accepted.map((mail) => mail.messageId).sort()).toEqual(
      [messageIdOf(rowA), messageIdOf(rowB), messageIdOf(rowB)].sort(),
    );
    expect(sink.accepted.every((mail) => mail.recipients.includes(world.managerEmail))).toBe(true);
    for (const row of await outboxRows()) {
      expect(row).toMatchObject({ attempts: 2, leased: false, delivered: true });
    }
  });
});
