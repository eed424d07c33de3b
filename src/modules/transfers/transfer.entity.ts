import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { Store } from '../stores/store.entity';
import { User } from '../users/user.entity';

export const TRANSFER_STATUSES = ['pending', 'completed', 'rejected', 'cancelled'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

/**
 * A request to move stock from one store to another. Only `pending` changes, and only once:
 * each transition is one guarded `UPDATE … WHERE status = 'pending'` (see TransfersService).
 */
@Entity('transfers')
@Unique('uq_transfers_from_store_id', ['fromStoreId', 'id'])
@Index('ix_transfers_from_store_status', ['fromStoreId', 'status'])
@Index('ix_transfers_to_store_status', ['toStoreId', 'status'])
@Check('ck_transfers_stores', `"from_store_id" <> "to_store_id"`)
@Check('ck_transfers_status', `"status" IN ('pending', 'completed', 'rejected', 'cancelled')`)
@Check('ck_transfers_decision', `("status" = 'pending') = ("decided_at" IS NULL)`)
export class Transfer {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  fromStoreId: string;

  @ManyToOne(() => Store, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'from_store_id', foreignKeyConstraintName: 'fk_transfers_from_store' })
  fromStore?: Store;

  @Column('uuid')
  toStoreId: string;

  @ManyToOne(() => Store, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'to_store_id', foreignKeyConstraintName: 'fk_transfers_to_store' })
  toStore?: Store;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: TransferStatus;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  /** Why it was rejected. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  reason: string | null;

  @Column('uuid')
  requestedBy: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'requested_by', foreignKeyConstraintName: 'fk_transfers_requested_by' })
  requester?: User;

  /** Who approved, rejected or cancelled it. */
  @Column({ type: 'uuid', nullable: true })
  decidedBy: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'decided_by', foreignKeyConstraintName: 'fk_transfers_decided_by' })
  decider?: User | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;
}
