import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { runStatement, SqlStatement } from '../../common/database/sql-statement';
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
    return runStatement(manager, this.addStatement(message));
  }

  /** add as a statement, for a caller that batches it into its own transaction (sales). */
  addStatement(message: OutboxMessage): SqlStatement<string> {
    return {
      text: 'INSERT INTO outbox (type, payload) VALUES ($1, $2::jsonb) RETURNING id',
      values: [message.type, JSON.stringify(message.payload)],
      read: (rows) => rows[0].id as string,
    };
  }
}
