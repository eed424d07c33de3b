import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString } from 'class-validator';
import { Chars, MaxChars } from '../../../common/validators/fields';
import { ExportableQueryDto } from '../../../common/pagination/pagination';

/** `GET /products` filters; with `format=csv` every matching product is exported, unpaged. */
export class ListProductsQueryDto extends ExportableQueryDto {
  @ApiPropertyOptional({
    example: 'milk',
    description: 'Part of the name, SKU or barcode (case-insensitive)',
  })
  @IsOptional()
  @IsString()
  @MaxChars(100)
  search?: string;

  // Exact matches: an empty one (a till's empty scan) is refused, not taken as "any".
  @ApiPropertyOptional({ example: 'Dairy', description: 'Exact category' })
  @IsOptional()
  @IsString()
  @Chars(1, 100)
  category?: string;

  @ApiPropertyOptional({ example: '4006381333931', description: 'Exact barcode' })
  @IsOptional()
  @IsString()
  @Chars(1, 32)
  barcode?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Only active or inactive products' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
}

export type ProductFilter = Pick<
  ListProductsQueryDto,
  'search' | 'category' | 'barcode' | 'active'
>;
