import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { IsId, IsTimestamp, MaxChars, OffsetPlusRestored } from '../../../common/validators/fields';
import { ExportableQueryDto } from '../../../common/pagination/pagination';
import { AUDIT_ACTIONS, AuditAction } from '../audit-actions';

/** `GET /audit-logs` filters; with `format=csv` every matching entry is exported, unpaged. */
export class AuditLogQueryDto extends ExportableQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Entries recorded for this user' })
  @IsOptional()
  @IsId()
  userId?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS, example: 'sale.created' })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: AuditAction;

  @ApiPropertyOptional({ maxLength: 64, example: 'sale' })
  @IsOptional()
  @IsString()
  @MaxChars(64)
  entityType?: string;

  @ApiPropertyOptional({ maxLength: 64, example: '5d1e7a0c-2b4f-4e8e-8f3a-1c9b6d2e4f70' })
  @IsOptional()
  @IsString()
  @MaxChars(64)
  entityId?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2025-11-01T00:00:00Z',
    description: 'Entries at or after this instant (inclusive)',
  })
  @IsOptional()
  @OffsetPlusRestored()
  @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2025-12-01T00:00:00Z',
    description: 'Entries before this instant (exclusive)',
  })
  @IsOptional()
  @OffsetPlusRestored()
  @IsTimestamp()
  to?: string;
}

export type AuditLogFilter = Pick<
  AuditLogQueryDto,
  'userId' | 'action' | 'entityType' | 'entityId' | 'from' | 'to'
>;
