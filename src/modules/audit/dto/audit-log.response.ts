import { ApiProperty } from '@nestjs/swagger';
import type { CsvColumn } from '../../../common/csv/csv';
import { AUDIT_ACTIONS, AuditAction } from '../audit-actions';
import type { AuditLog } from '../audit-log.entity';

export class AuditLogResponse {
  @ApiProperty({ format: 'uuid', example: '0b8f3c2e-6f1d-4c8a-9a55-3d2f7e4b9c10' })
  id: string;

  @ApiProperty({ format: 'date-time', example: '2025-11-25T08:15:00.000Z' })
  occurredAt: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  userId: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'jane.admin' })
  username: string | null;

  @ApiProperty({ enum: AUDIT_ACTIONS, example: 'sale.created' })
  action: AuditAction;

  @ApiProperty({ nullable: true, type: String, example: 'sale' })
  entityType: string | null;

  @ApiProperty({ nullable: true, type: String, example: '5d1e7a0c-2b4f-4e8e-8f3a-1c9b6d2e4f70' })
  entityId: string | null;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  storeId: string | null;

  @ApiProperty({ nullable: true, type: String, example: '203.0.113.7' })
  ip: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'PosTill/2.3 (Android 13)' })
  userAgent: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { receiptNumber: 'NBO1-000042', total: 11600 },
  })
  details: Record<string, unknown>;
}

export class AuditLogPage {
  @ApiProperty({ type: [AuditLogResponse] })
  data: AuditLogResponse[];

  @ApiProperty({ type: 'integer', example: 1 })
  page: number;

  @ApiProperty({ type: 'integer', example: 50 })
  pageSize: number;

  @ApiProperty({ type: 'integer', example: 1234 })
  total: number;
}

export function toAuditLogResponse(entry: AuditLog): AuditLogResponse {
  return {
    id: entry.id,
    occurredAt: entry.occurredAt.toISOString(),
    userId: entry.userId,
    username: entry.username,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    storeId: entry.storeId,
    ip: entry.ip,
    userAgent: entry.userAgent,
    details: entry.details,
  };
}

/** The CSV export: the fields of the JSON entry, `details` as JSON text. */
export const AUDIT_LOG_CSV_COLUMNS: CsvColumn<AuditLogResponse>[] = [
  { header: 'id', value: (entry) => entry.id },
  { header: 'occurredAt', value: (entry) => entry.occurredAt },
  { header: 'userId', value: (entry) => entry.userId },
  { header: 'username', value: (entry) => entry.username },
  { header: 'action', value: (entry) => entry.action },
  { header: 'entityType', value: (entry) => entry.entityType },
  { header: 'entityId', value: (entry) => entry.entityId },
  { header: 'storeId', value: (entry) => entry.storeId },
  { header: 'ip', value: (entry) => entry.ip },
  { header: 'userAgent', value: (entry) => entry.userAgent },
  { header: 'details', value: (entry) => JSON.stringify(entry.details) },
];
