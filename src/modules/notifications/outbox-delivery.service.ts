import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Env } from '../../config/env.schema';
import { Mailer, SentMail } from './mailer';
import { ComposedEmail, NothingToSend, OutboxComposers } from './outbox-composers';
import type { OutboxMessage } from './outbox-message';
import { backoffDelayMs, outboxSettings, OutboxSettings } from './outbox-settings';
import { updatedRows } from './sql-results';

/**
 * - `delivered`: sent now and marked delivered
 * - `skipped`: settled without an email (no recipients, store or product gone), with a note
 * - `already-delivered`: nothing to do (a duplicate job, or a retry after a crash that happened
 *   after the row was marked)
 * - `busy`: another sender holds the lease right now
 * - `missing`: no such outbox row
 */
export type DeliveryOutcome = 'delivered' | 'skipped' | 'already-delivered' | 'busy' | 'missing';

interface ClaimedRow {
  id: string;
  type: string;
  payload: OutboxMessage['payload'];
  attempts: number;
  created_at: Date;
}

const MARK_DELIVERED_TRIES = 4;

/** The domain `@pos.local` of every Message-ID: `<outbox-id@pos.local>`. */
export function messageIdFor(outboxId: string): string {
  return `<${outboxId}@pos.local>`;
}

/**
 * Delivers one outbox row. The one code path of both modes: the BullMQ processor (worker) and the
 * in-process dispatcher (embedded) both call `deliver(outboxId)`.
 *
 * Safe to call any number of times, concurrently too: a sender first claims the row with one
 * atomic UPDATE (pending and not leased by someone else → lease it, count the attempt), so one
 * sender at a time works on a row and a delivered row is never sent again. The email carries the
 * outbox id as its Message-ID, so in the one window left — the process dies after the SMTP server
 * accepted the message and before the row is marked — the resend after the lease expires is the
 * same message to the receiving side.
 */
@Injectable()
export class OutboxDelivery {
  private readonly logger = new Logger(OutboxDelivery.name);
  private readonly settings: OutboxSettings;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly mailer: Mailer,
    private readonly composers: OutboxComposers,
    config: ConfigService<Env, true>,
  ) {
    this.settings = outboxSettings(config);
  }

  /** Sends the row's email once. Throws when sending failed (after scheduling the next try). */
  async deliver(outboxId: string): Promise<DeliveryOutcome> {
    let row: ClaimedRow | undefined;
    try {
      row = await this.claim(outboxId);
      if (!row) return await this.whyNotClaimed(outboxId);
    } catch (error) {
      this.logger.warn(
        `Outbox ${outboxId}: could not claim it (${(error as Error).message}); tried again later`,
      );
      throw error;
    }
    let sent: SentMail;
    try {
      const email = this.stillOwed(row, await this.compose(row));
      if (email instanceof NothingToSend) {
        this.logger.warn(`Outbox ${row.id} (${row.type}) settled without an email: ${email.note}`);
        await this.markDelivered(row.id, email.note);
        return 'skipped';
      }
      sent = await this.mailer.send({ messageId: messageIdFor(row.id), ...email });
    } catch (error) {
      const unknown = everyRecipientUnknown(error);
      if (unknown) {
        // No retry can reach an address that does not exist (a typo in lowStockEmails).
        this.logger.error(`Outbox ${row.id} (${row.type}) undeliverable: ${unknown}`);
        await this.markDelivered(row.id, `undeliverable: ${unknown}`.slice(0, 2000));
        return 'skipped';
      }
      await this.markFailed(row, error);
      throw error;
    }
    // Sent: from here on a failure must not schedule a resend. Keep the lease and insist a
    // little; if the database stays away, the row is sent again (same Message-ID) after the lease.
    const refused =
      sent.rejected.length > 0 ? `refused by the SMTP server: ${sent.rejected.join(', ')}` : null;
    const { onlyTo } = row.payload as { onlyTo?: string[] };
    const note = onlyTo
      ? [`sent on attempt ${row.attempts} to the recipients deferred before`, refused]
          .filter(Boolean)
          .join('; ')
      : refused;
    if (sent.deferred.length > 0) {
      await this.insist(
        () => this.owe(row, sent.deferred, note),
        `Outbox ${row.id}: recording the deferred recipients`,
      );
      throw new Error(
        `Outbox ${row.id}: sent to ${sent.accepted.length} recipient(s); the SMTP server deferred ${sent.deferred.join(', ')}, tried again later`,
      );
    }
    await this.insist(
      () => this.markDelivered(row.id, note),
      `Outbox ${row.id}: marking delivered`,
    );
    this.logger.log(
      `Outbox ${row.id} (${row.type}) delivered to ${sent.accepted.length} recipient(s), attempt ${row.attempts}`,
    );
    return 'delivered';
  }

  /**
   * Leases a pending row that no live sender holds, counting the attempt. A concurrent claim
   * blocks on the row lock and then re-checks the condition on the committed row (Read
   * Committed), so exactly one of two racing senders gets it.
   */
  private async claim(outboxId: string): Promise<ClaimedRow | undefined> {
    const rows = updatedRows<ClaimedRow>(
      await this.dataSource.query(
        `UPDATE outbox
            SET claimed_until = now() + $2 * interval '1 millisecond', attempts = attempts + 1
          WHERE id = $1 AND delivered_at IS NULL
            AND (claimed_until IS NULL OR claimed_until < now())
        RETURNING id, type, payload, attempts, created_at`,
        [outboxId, this.settings.leaseMs],
      ),
    );
    return rows[0];
  }

  private async whyNotClaimed(outboxId: string): Promise<DeliveryOutcome> {
    const [row]: { delivered: boolean }[] = await this.dataSource.query(
      'SELECT delivered_at IS NOT NULL AS delivered FROM outbox WHERE id = $1',
      [outboxId],
    );
    if (!row) return 'missing';
    return row.delivered ? 'already-delivered' : 'busy';
  }

  private async compose(row: ClaimedRow): Promise<ComposedEmail | NothingToSend> {
    // Each message type's module registered its composer (low stock: LowStockComposer).
    const composer = this.composers.get(row.type);
    if (composer) return composer(row.payload, row.created_at);
    // Written by a newer version during a rolling deploy: fail (and retry) until a sender
    // that knows the type picks it up, rather than dropping it.
    throw new Error(`Unknown outbox message type '${row.type}'`);
  }

  /**
   * After a send that reached some recipients and was deferred (4xx) for others: only those are
   * still owed the message. Narrows the row to them and schedules the next try, unless another
   * sender has claimed the row since (`attempts` fences, as in markFailed).
   */
  private async owe(row: ClaimedRow, recipients: string[], note: string | null): Promise<void> {
    const delayMs = backoffDelayMs(
      row.attempts,
      this.settings.backoffMs,
      this.settings.backoffMaxMs,
    );
    this.logger.warn(
      `Outbox ${row.id} (${row.type}) attempt ${row.attempts}: the SMTP server deferred ${recipients.join(', ')}; trying them again in ${delayMs} ms`,
    );
    await this.dataSource.query(
      `UPDATE outbox SET payload = payload || jsonb_build_object('onlyTo', $3::jsonb),
              last_error = $4, claimed_until = NULL,
              next_attempt_at = now() + $5 * interval '1 millisecond'
        WHERE id = $1 AND attempts = $2 AND delivered_at IS NULL`,
      [
        row.id,
        row.attempts,
        JSON.stringify(recipients),
        [`deferred by the SMTP server: ${recipients.join(', ')}`, note].filter(Boolean).join('; '),
        delayMs,
      ],
    );
  }

  /** The email for the recipients the row still owes it to (all of them until a deferral). */
  private stillOwed(
    row: ClaimedRow,
    email: ComposedEmail | NothingToSend,
  ): ComposedEmail | NothingToSend {
    const { onlyTo } = row.payload as { onlyTo?: string[] };
    if (!onlyTo || email instanceof NothingToSend) return email;
    const owed = new Set(onlyTo.map((address) => address.toLowerCase()));
    const to = email.to.filter((address) => owed.has(address.toLowerCase()));
    if (to.length === 0)
      return new NothingToSend(`no longer recipients: ${onlyTo.join(', ')} (the rest had it)`);
    return { ...email, to };
  }

  private async markDelivered(outboxId: string, note: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox SET delivered_at = now(), claimed_until = NULL,
              last_error = COALESCE($2, last_error)
        WHERE id = $1 AND delivered_at IS NULL`,
      [outboxId, note],
    );
  }

  private async insist(work: () => Promise<void>, what: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= MARK_DELIVERED_TRIES) {
          this.logger.error(
            `${what} failed ${attempt} times (${(error as Error).message}); the email goes again, with the same Message-ID, once the lease runs out`,
          );
          throw error;
        }
        this.logger.warn(`${what} failed (${(error as Error).message}); trying again`);
        await new Promise((wait) => setTimeout(wait, 250 * 2 ** attempt));
      }
    }
  }

  /**
   * Records the failure and when to try again, and frees the lease, unless another sender has
   * claimed the row since (our lease ran out): `attempts` is the fencing token.
   */
  private async markFailed(row: ClaimedRow, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const delayMs = backoffDelayMs(
      row.attempts,
      this.settings.backoffMs,
      this.settings.backoffMaxMs,
    );
    this.logger.warn(
      `Outbox ${row.id} (${row.type}) attempt ${row.attempts} failed: ${message}; next try in ${delayMs} ms`,
    );
    try {
      await this.dataSource.query(
        `UPDATE outbox SET last_error = $3, claimed_until = NULL,
                next_attempt_at = now() + $4 * interval '1 millisecond'
          WHERE id = $1 AND attempts = $2 AND delivered_at IS NULL`,
        [row.id, row.attempts, message.slice(0, 2000), delayMs],
      );
    } catch (recordError) {
      // The lease runs out by itself and the row is tried again then.
      this.logger.error(
        `Outbox ${row.id}: could not record the failure: ${(recordError as Error).message}`,
      );
    }
  }
}

/**
 * The SMTP server's answers when it refused every recipient as an address that does not exist
 * (enhanced status 5.1.x: bad mailbox, bad domain), else undefined. Other refusals, such as a
 * relay or policy refusal (5.7.x) or a refused sender, usually mean the mail settings are wrong
 * for every email: those are retried until someone fixes them.
 */
function everyRecipientUnknown(error: unknown): string | undefined {
  const { code, rejectedErrors } = error as {
    code?: string;
    rejectedErrors?: { response?: string }[];
  };
  if (code !== 'EENVELOPE' || !rejectedErrors?.length) return undefined;
  const answers = rejectedErrors.map((refusal) => refusal.response ?? '');
  return answers.every((answer) => /^5\d\d[ -]5\.1\.\d+/.test(answer))
    ? answers.join('; ')
    : undefined;
}
