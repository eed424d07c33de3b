import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Written in the sale's (or return's) own transaction: a duplicate request waits on the primary
 * key until the first commits (then replays what it made) or rolls back (then runs itself).
 */
@Entity('idempotency_keys')
@Index('ix_idempotency_keys_created', ['createdAt'])
@Check('ck_idempotency_keys_one_record', `"sale_id" IS NULL OR "return_id" IS NULL`)
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

  @Column({ type: 'uuid', nullable: true })
  returnId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
