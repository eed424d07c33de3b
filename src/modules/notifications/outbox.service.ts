import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { OutboxMessage } from './outbox-message';

/** Writes outbox rows; delivery happens after commit (OutboxRelay/OutboxDispatcher → OutboxDelivery). */
@Injectable()
export class OutboxService {
  /**
   * Adds a message inside the caller's transaction (one INSERT), so it exists exactly when the
   * business change that caused it commits. A manager outside a transaction is refused: a row
   * written on its own could announce a change that then rolls back.
   * @returns the outbox id (also the BullMQ job id and the email's Message-ID)
   */
  async add(manager: EntityManager, message: OutboxMessage): Promise<string> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('OutboxService.add needs the manager of an open transaction');
    }
    const [row]: { id: string }[] = await manager.query(
      'INSERT INTO outbox (type, payload) VALUES ($1, $2::jsonb) RETURNING id',
      [message.type, JSON.stringify(message.payload)],
    );
    return row.id;
  }
}
