import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { IsId, MaxChars, OffsetPlusRestored } from '../../../common/validators/fields';
import { ExportableQueryDto } from '../../../common/pagination/pagination';
import { PERIOD_NAMES, PeriodName } from '../periods';

const FORMAT = { enum: ['json', 'csv'], default: 'json', description: '`csv` streams a file' };

export class ReportScopeQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "One store (404 if the caller may not see it). Omitted: every store the caller may see. Periods use the store's time zone; for several stores their common zone, or Africa/Nairobi when they differ.",
  })
  @IsOptional()
  @IsId()
  storeId?: string;

  @ApiPropertyOptional(FORMAT)
  @IsOptional()
  @IsIn(['json', 'csv'])
  format: 'json' | 'csv' = 'json';
}

export class PeriodQueryDto extends ReportScopeQueryDto {
  @ApiPropertyOptional({
    enum: PERIOD_NAMES,
    default: 'today',
    description:
      'Whole local days up to the end of today (weeks start on Monday; last_7_days and last_30_days include today). Compared with the previous period of equal length: the same number of days just before.',
  })
  @IsOptional()
  @IsIn(PERIOD_NAMES)
  period: PeriodName = 'today';

  @ApiPropertyOptional({
    description:
      'period=custom only: a local date (its midnight in the store time zone), a local date-time, or an instant with Z/offset',
    example: '2026-11-01',
  })
  @IsOptional()
  @OffsetPlusRestored()
  @IsString()
  @MaxChars(40)
  from?: string;

  @ApiPropertyOptional({
    description: 'period=custom only, exclusive; at most 366 days after from',
    example: '2026-12-01',
  })
  @IsOptional()
  @OffsetPlusRestored()
  @IsString()
  @MaxChars(40)
  to?: string;
}

export class TopProductsQueryDto extends PeriodQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 10;

  @ApiPropertyOptional({
    enum: ['revenue', 'quantity'],
    default: 'revenue',
    description: 'Rank by revenue after refunds, or by units sold minus units returned',
  })
  @IsOptional()
  @IsIn(['revenue', 'quantity'])
  sortBy: 'revenue' | 'quantity' = 'revenue';
}

export class InventoryValuationQueryDto extends ExportableQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'One store (404 if the caller may not see it). Omitted: every visible store.',
  })
  @IsOptional()
  @IsId()
  storeId?: string;
}
