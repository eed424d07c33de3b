import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Written in the sale's own transaction: a duplicate request waits on the primary key until
 * the first commits (then replays its sale) or rolls back (then runs itself).
 */
@Entity('idempotency_keys')
@Index('ix_idempotency_keys_created', ['createdAt'])
export class IdempotencyKey {
  @PrimaryColumn('uuid')
  userId: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key: string;

  /** SHA-256 of the canonical request body. */
  @Column({ type: 'char', length: 64 })
  requestHash: string;

  @Column({ type: 'uuid', nullable: true })
  saleId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
