import { ApiProperty } from '@nestjs/swagger';
import type { CsvColumn } from '../../../common/csv/csv';
import { Product, TAX_CLASSES, TaxClass } from '../product.entity';

export class ProductResponse {
  @ApiProperty({ format: 'uuid', example: '3f6c1e9a-8b2d-4c7e-9f10-2a5b6c7d8e9f' })
  id: string;

  @ApiProperty({ example: 'MILK-BRK-500' })
  sku: string;

  @ApiProperty({ nullable: true, type: String, example: '4006381333931' })
  barcode: string | null;

  @ApiProperty({ example: 'Brookside Milk 500 ml' })
  name: string;

  @ApiProperty({ nullable: true, type: String, example: 'Dairy' })
  category: string | null;

  @ApiProperty({
    type: 'integer',
    example: 6500,
    description: 'VAT-inclusive price in minor units',
  })
  unitPrice: number;

  @ApiProperty({ type: 'integer', example: 5200, description: 'Cost in minor units' })
  costPrice: number;

  @ApiProperty({ enum: TAX_CLASSES, example: 'standard' })
  taxClass: TaxClass;

  @ApiProperty({ type: 'integer', example: 10 })
  reorderLevel: number;

  @ApiProperty({ example: true })
  active: boolean;
}

export class ProductPage {
  @ApiProperty({ type: [ProductResponse] })
  data: ProductResponse[];

  @ApiProperty({ type: 'integer', example: 1 })
  page: number;

  @ApiProperty({ type: 'integer', example: 50 })
  pageSize: number;

  @ApiProperty({ type: 'integer', example: 1234 })
  total: number;
}

export function toProductResponse(product: Product): ProductResponse {
  return {
    id: product.id,
    sku: product.sku,
    barcode: product.barcode,
    name: product.name,
    category: product.category,
    unitPrice: product.unitPrice,
    costPrice: product.costPrice,
    taxClass: product.taxClass,
    reorderLevel: product.reorderLevel,
    active: product.active,
  };
}

/** The CSV export: the fields of the JSON product, money in minor units. */
export const PRODUCT_CSV_COLUMNS: CsvColumn<ProductResponse>[] = [
  { header: 'id', value: (product) => product.id },
  { header: 'sku', value: (product) => product.sku },
  { header: 'barcode', value: (product) => product.barcode },
  { header: 'name', value: (product) => product.name },
  { header: 'category', value: (product) => product.category },
  { header: 'unitPrice', value: (product) => product.unitPrice },
  { header: 'costPrice', value: (product) => product.costPrice },
  { header: 'taxClass', value: (product) => product.taxClass },
  { header: 'reorderLevel', value: (product) => product.reorderLevel },
  { header: 'active', value: (product) => product.active },
];
