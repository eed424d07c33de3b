import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 200;
/** Keeps the row offset a safe integer PostgreSQL can take (a larger page would fail as a 500). */
export const MAX_PAGE = 1_000_000_000;

/** `?page=1&pageSize=50` (pageSize at most 200). */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page: number = 1;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  pageSize: number = 50;
}

/** Adds `?format=csv` to a list query (endpoints marked CSV in API.md). */
export class ExportableQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format: 'json' | 'csv' = 'json';
}

export interface Page<T> {
  data: T[];
  page: number;
  pageSize: number;
  total: number;
}

export function pageOf<T>(data: T[], query: PageQueryDto, total: number): Page<T> {
  return { data, page: query.page, pageSize: query.pageSize, total };
}

export function offsetOf(query: PageQueryDto): number {
  return (query.page - 1) * query.pageSize;
}
