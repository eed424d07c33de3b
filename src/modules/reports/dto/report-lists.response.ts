import { ApiProperty } from '@nestjs/swagger';
import { PeriodReportResponse } from './sales-summary.response';

export class TopProductResponse {
  @ApiProperty({ type: 'integer', example: 1 }) rank: number;
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: 'integer', description: 'Units on sales that occurred in the period' })
  quantitySold: number;
  @ApiProperty({ type: 'integer', description: 'Units returned in the period' })
  quantityReturned: number;
  @ApiProperty({ type: 'integer', description: 'quantitySold − quantityReturned' })
  quantity: number;
  @ApiProperty({
    type: 'integer',
    description: 'Σ line totals (VAT-inclusive, after discounts) − Σ refunds in the period',
  })
  revenue: number;
  @ApiProperty({ type: 'integer', description: 'revenue without VAT (line VAT − VAT refunded)' })
  netRevenue: number;
}

export class TopProductsResponse extends PeriodReportResponse {
  @ApiProperty({ enum: ['revenue', 'quantity'] }) sortBy: string;
  @ApiProperty({ type: [TopProductResponse] }) data: TopProductResponse[];
}

export class CashierFiguresResponse {
  @ApiProperty({ format: 'uuid' }) cashierId: string;
  @ApiProperty({ nullable: true, type: String }) username: string | null;
  @ApiProperty({ nullable: true, type: String }) fullName: string | null;
  @ApiProperty({ type: 'integer', description: 'Sales they made that occurred in the period' })
  salesCount: number;
  @ApiProperty({ type: 'integer', description: 'Σ subtotal of those sales' }) grossSales: number;
  @ApiProperty({
    type: 'integer',
    description: 'Refunds in the period on sales they made (any period)',
  })
  returns: number;
  @ApiProperty({
    type: 'integer',
    description: 'Σ (total − VAT) of their sales − Σ (refund − VAT) of those returns',
  })
  netSales: number;
  @ApiProperty({
    type: 'integer',
    description: 'Σ commission of their sales − commission reversed by returns made in the period',
  })
  commission: number;
}

export class CashiersResponse extends PeriodReportResponse {
  @ApiProperty({ type: [CashierFiguresResponse], description: 'By netSales, highest first' })
  data: CashierFiguresResponse[];
}

export class ValuationRowResponse {
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) category: string | null;
  @ApiProperty({ type: 'integer', description: 'On hand across the stores in scope' })
  quantity: number;
  @ApiProperty({ type: 'integer', description: 'Current catalogue cost price' }) costPrice: number;
  @ApiProperty({ type: 'integer', description: 'Current VAT-inclusive unit price' })
  unitPrice: number;
  @ApiProperty({ type: 'integer', description: 'quantity × costPrice' }) costValue: number;
  @ApiProperty({ type: 'integer', description: 'quantity × unitPrice' }) retailValue: number;
}

export class ValuationTotalsResponse {
  @ApiProperty({ type: 'integer', description: 'Products with stock' }) products: number;
  @ApiProperty({ type: 'integer' }) quantity: number;
  @ApiProperty({ type: 'integer' }) costValue: number;
  @ApiProperty({ type: 'integer' }) retailValue: number;
}

export class ValuationStoreResponse extends ValuationTotalsResponse {
  @ApiProperty({ format: 'uuid' }) storeId: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
}

export class InventoryValuationResponse {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) storeId: string | null;
  @ApiProperty({ type: ValuationTotalsResponse }) totals: ValuationTotalsResponse;
  @ApiProperty({ type: [ValuationStoreResponse] }) byStore: ValuationStoreResponse[];
  @ApiProperty({ type: [ValuationRowResponse], description: 'Products with stock, by name' })
  data: ValuationRowResponse[];
  @ApiProperty({ type: 'integer' }) page: number;
  @ApiProperty({ type: 'integer' }) pageSize: number;
  @ApiProperty({ type: 'integer' }) total: number;
  @ApiProperty({ description: 'When these figures were computed (cached REPORT_CACHE_SECONDS)' })
  computedAt: string;
}
