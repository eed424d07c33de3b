import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsId, IsTimestamp, OffsetPlusRestored } from '../../../common/validators/fields';
import { ExportableQueryDto } from '../../../common/pagination/pagination';
import { SALE_STATUSES, SaleStatus } from '../sale.entity';

export class ListSalesQueryDto extends ExportableQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsId()
  storeId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsId()
  cashierId?: string;

  @ApiPropertyOptional({
    description: 'occurredAt from (inclusive)',
    example: '2026-11-01T00:00:00Z',
  })
  @IsOptional()
  @OffsetPlusRestored()
  @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({
    description: 'occurredAt to (exclusive)',
    example: '2026-12-01T00:00:00Z',
  })
  @IsOptional()
  @OffsetPlusRestored()
  @IsTimestamp()
  to?: string;

  @ApiPropertyOptional({ enum: SALE_STATUSES })
  @IsOptional()
  @IsIn(SALE_STATUSES)
  status?: SaleStatus;
}
