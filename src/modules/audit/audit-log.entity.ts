import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AuditAction } from './audit-actions';

/** One append-only audit entry; a trigger refuses UPDATE, DELETE and TRUNCATE on the table. */
@Entity('audit_logs')
@Index('ix_audit_logs_occurred_at_user_id', ['occurredAt', 'userId'])
@Index('ix_audit_logs_user_id_occurred_at', ['userId', 'occurredAt'])
@Index('ix_audit_logs_action_occurred_at', ['action', 'occurredAt'])
@Index('ix_audit_logs_entity_type_entity_id', ['entityType', 'entityId'])
@Index('ix_audit_logs_store_id_occurred_at', ['storeId', 'occurredAt'])
export class AuditLog {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_audit_logs' })
  id: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  /** No foreign key: entries outlive the users they mention. */
  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  username: string | null;

  @Column({ type: 'varchar', length: 64 })
  action: AuditAction;

  @Column({ type: 'varchar', length: 64, nullable: true })
  entityType: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  entityId: string | null;

  @Column({ type: 'uuid', nullable: true })
  storeId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  userAgent: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  details: Record<string, unknown>;
}
