import { ApiProperty } from '@nestjs/swagger';
import type { SaleReturnLine } from '../sale-return-line.entity';
import type { SaleReturn } from '../sale-return.entity';

export class SaleReturnLineResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', description: 'The sale line returned' }) lineId: string;
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty({ type: 'integer', example: 1 }) quantity: number;
  @ApiProperty({
    type: 'integer',
    example: 11600,
    description: 'Refunded, VAT included (minor units)',
  })
  refund: number;
  @ApiProperty({ type: 'integer', example: 1600, description: 'VAT included in the refund' })
  vat: number;
}

export class SaleReturnResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) saleId: string;
  @ApiProperty({ format: 'uuid' }) storeId: string;
  @ApiProperty({ type: [SaleReturnLineResponse] }) lines: SaleReturnLineResponse[];
  @ApiProperty({ type: 'integer', example: 11600, description: 'Sum of the lines’ refunds' })
  refundTotal: number;
  @ApiProperty({ type: 'integer', example: 1600, description: 'Sum of the lines’ VAT' })
  vatRefund: number;
  @ApiProperty({
    type: 'integer',
    example: 250,
    description: 'Cashier commission taken back by this return',
  })
  commissionReversed: number;
  @ApiProperty({ description: 'Whether the units went back into stock' }) restocked: boolean;
  @ApiProperty({ enum: ['cash', 'mpesa', 'card'] }) refundMethod: string;
  @ApiProperty({ example: 'Damaged packaging' }) reason: string;
  @ApiProperty({ format: 'uuid' }) createdBy: string;
  @ApiProperty() createdAt: string;
}

export function toSaleReturnResponse(
  saleReturn: SaleReturn,
  lines: SaleReturnLine[],
): SaleReturnResponse {
  return {
    id: saleReturn.id,
    saleId: saleReturn.saleId,
    storeId: saleReturn.storeId,
    lines: lines.map((line) => ({
      id: line.id,
      lineId: line.saleLineId,
      productId: line.productId,
      quantity: line.quantity,
      refund: line.refund,
      vat: line.vat,
    })),
    refundTotal: saleReturn.refundTotal,
    vatRefund: saleReturn.vatRefund,
    commissionReversed: saleReturn.commissionReversed,
    restocked: saleReturn.restock,
    refundMethod: saleReturn.refundMethod,
    reason: saleReturn.reason,
    createdBy: saleReturn.createdBy,
    createdAt: saleReturn.createdAt.toISOString(),
  };
}
