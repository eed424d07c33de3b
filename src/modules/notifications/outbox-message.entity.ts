import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { OutboxMessage, OutboxType } from './outbox-message';

/**
 * One message written by a business transaction and delivered after it commits (transactional
 * outbox). A row is pending until `delivered_at` is set; `claimed_until` is the lease of the
 * sender working on it, `attempts` counts claims (and fences a sender whose lease ran out).
 */
@Entity('outbox')
@Index('ix_outbox_pending_next_attempt_at', ['nextAttemptAt'], { where: '"delivered_at" IS NULL' })
@Index('ix_outbox_delivered_at', ['deliveredAt'], { where: '"delivered_at" IS NOT NULL' })
export class OutboxMessageEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_outbox' })
  id: string;

  @Column({ type: 'varchar', length: 32 })
  type: OutboxType;

  @Column({ type: 'jsonb' })
  payload: OutboxMessage['payload'];

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  /** When the relay last put the row on the BullMQ queue (null: never, or embedded mode). */
  @Column({ type: 'timestamptz', nullable: true })
  relayedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** Not sent before this time (exponential backoff after a failure). */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  /** A sender's lease: while in the future, nobody else sends this row. */
  @Column({ type: 'timestamptz', nullable: true })
  claimedUntil: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  /** The last failure, or a note when the row was settled without an email. */
  @Column({ type: 'text', nullable: true })
  lastError: string | null;
}
