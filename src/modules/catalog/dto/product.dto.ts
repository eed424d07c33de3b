import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { UnlessAbsent, Chars } from '../../../common/validators/fields';
import { IsBarcode } from '../../../common/validators/gtin';
import { TAX_CLASSES, TaxClass } from '../product.entity';

/** Prices in minor units stay far below 2^53 (JSON numbers) and bigint. */
export const MAX_MINOR_UNITS = 1_000_000_000_000;
export const MAX_REORDER_LEVEL = 1_000_000;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

const IsSku = () =>
  Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'sku must be 1-64 letters, digits, dots, dashes or underscores',
  });
const IsProductName = () => applyDecorators(Transform(trim), IsString(), Chars(1, 200));
const IsCategory = () => applyDecorators(Transform(trim), IsString(), Chars(1, 100));
const IsMinorUnits = () => applyDecorators(IsInt(), Min(0), Max(MAX_MINOR_UNITS));
const IsTaxClass = () => IsIn(TAX_CLASSES);
const IsReorderLevel = () => applyDecorators(IsInt(), Min(0), Max(MAX_REORDER_LEVEL));

const SKU_DOC: ApiPropertyOptions = {
  example: 'MILK-BRK-500',
  description: '1–64 letters, digits, . _ -; unique',
};
const BARCODE_DOC: ApiPropertyOptions = {
  example: '4006381333931',
  description: '1–32 letters, digits or dashes, unique; 8, 12 or 13 digits must be a valid GTIN',
};
const PRICE_DOC: ApiPropertyOptions = {
  type: 'integer',
  example: 6500,
  minimum: 0,
  maximum: MAX_MINOR_UNITS,
  description: 'VAT-inclusive selling price in minor units (6500 = KES 65.00)',
};
const COST_DOC: ApiPropertyOptions = {
  type: 'integer',
  example: 5200,
  minimum: 0,
  maximum: MAX_MINOR_UNITS,
  description: 'Purchase cost in minor units',
};
const TAX_CLASS_DOC: ApiPropertyOptions = {
  enum: TAX_CLASSES,
  description: 'standard (VAT 16%), zero (0%) or exempt',
};
const REORDER_DOC: ApiPropertyOptions = {
  type: 'integer',
  example: 10,
  minimum: 0,
  maximum: MAX_REORDER_LEVEL,
  description: 'Default low-stock level at every store (a store may override it)',
};

export class CreateProductDto {
  @ApiProperty(SKU_DOC)
  @IsSku()
  sku: string;

  @ApiPropertyOptional({ ...BARCODE_DOC, nullable: true, type: String })
  @IsOptional()
  @IsBarcode()
  barcode?: string | null;

  @ApiProperty({ example: 'Brookside Milk 500 ml', minLength: 1, maxLength: 200 })
  @IsProductName()
  name: string;

  @ApiPropertyOptional({ example: 'Dairy', maxLength: 100, nullable: true, type: String })
  @IsOptional()
  @IsCategory()
  category?: string | null;

  @ApiProperty(PRICE_DOC)
  @IsMinorUnits()
  unitPrice: number;

  @ApiPropertyOptional({ ...COST_DOC, default: 0 })
  @IsOptional()
  @IsMinorUnits()
  costPrice?: number;

  @ApiPropertyOptional({ ...TAX_CLASS_DOC, default: 'standard' })
  @IsOptional()
  @IsTaxClass()
  taxClass?: TaxClass;

  @ApiPropertyOptional({ ...REORDER_DOC, default: 0 })
  @IsOptional()
  @IsReorderLevel()
  reorderLevel?: number;
}

/** Every field optional; `barcode` and `category` may be set to null to clear them. */
export class UpdateProductDto {
  @ApiPropertyOptional(SKU_DOC)
  @UnlessAbsent()
  @IsSku()
  sku?: string;

  @ApiPropertyOptional({ ...BARCODE_DOC, nullable: true, type: String })
  @IsOptional()
  @IsBarcode()
  barcode?: string | null;

  @ApiPropertyOptional({ example: 'Brookside Milk 500 ml', minLength: 1, maxLength: 200 })
  @UnlessAbsent()
  @IsProductName()
  name?: string;

  @ApiPropertyOptional({ example: 'Dairy', maxLength: 100, nullable: true, type: String })
  @IsOptional()
  @IsCategory()
  category?: string | null;

  @ApiPropertyOptional(PRICE_DOC)
  @UnlessAbsent()
  @IsMinorUnits()
  unitPrice?: number;

  @ApiPropertyOptional(COST_DOC)
  @UnlessAbsent()
  @IsMinorUnits()
  costPrice?: number;

  @ApiPropertyOptional(TAX_CLASS_DOC)
  @UnlessAbsent()
  @IsTaxClass()
  taxClass?: TaxClass;

  @ApiPropertyOptional(REORDER_DOC)
  @UnlessAbsent()
  @IsReorderLevel()
  reorderLevel?: number;

  @ApiPropertyOptional({ example: false, description: 'false hides the product from sale' })
  @UnlessAbsent()
  @IsBoolean()
  active?: boolean;
}
