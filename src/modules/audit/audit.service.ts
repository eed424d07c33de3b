import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { command, runStatement, SqlStatement } from '../../common/database/sql-statement';
import { streamEntities } from '../../common/database/stream-query';
import { offsetOf, Page, PageQueryDto, pageOf } from '../../common/pagination/pagination';
import { AUDIT_ENTITY_TYPES, type AuditEntryInput } from './audit-actions';
import { AuditLog } from './audit-log.entity';
import type { AuditLogFilter } from './dto/audit-log-query.dto';
import { AuditLogResponse, toAuditLogResponse } from './dto/audit-log.response';

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Records an entry inside the caller's transaction, so it commits or rolls back with the
   * action it describes. A manager outside a transaction is refused rather than written alone.
   */
  async record(manager: EntityManager, entry: AuditEntryInput): Promise<void> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('AuditService.record needs the manager of an open transaction');
    }
    await runStatement(manager, this.recordStatement(entry));
  }

  /** Records an event that is not part of a business transaction (logins, lockouts, logouts). */
  async recordNow(entry: AuditEntryInput): Promise<void> {
    await runStatement(this.dataSource.manager, this.recordStatement(entry));
  }

  async list(query: AuditLogFilter & PageQueryDto): Promise<Page<AuditLogResponse>> {
    const [entries, total] = await this.filtered(query)
      .skip(offsetOf(query))
      .take(query.pageSize)
      .getManyAndCount();
    return pageOf(entries.map(toAuditLogResponse), query, total);
  }

  /** Every matching entry, newest first, through a database cursor (see streamEntities). */
  async *stream(filter: AuditLogFilter): AsyncGenerator<AuditLogResponse> {
    for await (const entry of streamEntities(this.filtered(filter))) {
      yield toAuditLogResponse(entry);
    }
  }

  /**
   * An entry as a statement, for a caller that batches it into its own transaction (every
   * sale); plain SQL, no ORM.
   */
  recordStatement(entry: AuditEntryInput): SqlStatement<void> {
    return command(
      `INSERT INTO audit_logs (action, user_id, username, entity_type, entity_id, store_id, ip, user_agent, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        entry.action,
        entry.userId ?? null,
        // Free text from the client; clipped so an over-long value cannot fail the action.
        entry.username?.slice(0, 100) ?? null,
        entry.entityType ?? null,
        entry.entityId ?? null,
        entry.storeId ?? null,
        entry.ip ?? null,
        entry.userAgent?.slice(0, 500) ?? null,
        JSON.stringify(entry.details ?? {}),
      ],
    );
  }

  private filtered(filter: AuditLogFilter): SelectQueryBuilder<AuditLog> {
    const query = this.dataSource.getRepository(AuditLog).createQueryBuilder('log');
    if (filter.userId) query.andWhere('log.userId = :userId', { userId: filter.userId });
    if (filter.action) query.andWhere('log.action = :action', { action: filter.action });
    if (filter.entityType) {
      query.andWhere('log.entityType = :entityType', { entityType: filter.entityType });
    } else if (filter.entityId) {
      // The (entity_type, entity_id) index serves an id alone through its few types; without
      // them every entry of the log would be read.
      query.andWhere('log.entityType IN (:...entityTypes)', { entityTypes: AUDIT_ENTITY_TYPES });
    }
    if (filter.entityId) query.andWhere('log.entityId = :entityId', { entityId: filter.entityId });
    if (filter.from) query.andWhere('log.occurredAt >= :from', { from: new Date(filter.from) });
    if (filter.to) query.andWhere('log.occurredAt < :to', { to: new Date(filter.to) });
    return query.orderBy('log.occurredAt', 'DESC').addOrderBy('log.id', 'DESC');
  }
}
