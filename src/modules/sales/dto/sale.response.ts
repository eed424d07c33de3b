import { ApiProperty } from '@nestjs/swagger';
import type { SaleLine } from '../sale-line.entity';
import type { SalePayment } from '../sale-payment.entity';
import type { Sale } from '../sale.entity';

export class SaleLineResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty() quantity: number;
  @ApiProperty({ example: 11600 }) unitPrice: number;
  @ApiProperty() discount: number;
  @ApiProperty({ enum: ['standard', 'zero', 'exempt'] }) taxClass: string;
  @ApiProperty({ example: 16 }) vatRate: number;
  @ApiProperty() vat: number;
  @ApiProperty() total: number;
  @ApiProperty() returnedQuantity: number;
}

export class SalePaymentResponse {
  @ApiProperty({ enum: ['cash', 'mpesa', 'card'] }) method: string;
  @ApiProperty() amount: number;
  @ApiProperty({ nullable: true, type: String }) reference: string | null;
  @ApiProperty({ nullable: true, type: String }) phone: string | null;
}

export class VatBreakdownResponse {
  @ApiProperty({ enum: ['standard', 'zero', 'exempt'] }) taxClass: string;
  @ApiProperty({ example: 16 }) vatRate: number;
  @ApiProperty({ description: 'Amount excluding VAT' }) taxable: number;
  @ApiProperty() vat: number;
}

export class SaleResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'NBO1-000042' }) receiptNumber: string;
  @ApiProperty({ format: 'uuid' }) storeId: string;
  @ApiProperty({ format: 'uuid' }) cashierId: string;
  @ApiProperty({ enum: ['completed', 'partially_returned', 'returned'] }) status: string;
  @ApiProperty({ type: [SaleLineResponse] }) lines: SaleLineResponse[];
  @ApiProperty() subtotal: number;
  @ApiProperty() discountTotal: number;
  @ApiProperty() vatTotal: number;
  @ApiProperty() total: number;
  @ApiProperty({ type: [VatBreakdownResponse] }) vatBreakdown: VatBreakdownResponse[];
  @ApiProperty({ type: [SalePaymentResponse] }) payments: SalePaymentResponse[];
  @ApiProperty() paid: number;
  @ApiProperty() change: number;
  @ApiProperty() commission: number;
  @ApiProperty({ nullable: true, type: String }) customerPhone: string | null;
  @ApiProperty() occurredAt: string;
  @ApiProperty() createdAt: string;
}

export function toSaleResponse(
  sale: Sale,
  lines: SaleLine[],
  payments: SalePayment[],
): SaleResponse {
  return {
    id: sale.id,
    receiptNumber: sale.receiptNumber,
    storeId: sale.storeId,
    cashierId: sale.cashierId,
    status: sale.status,
    lines: lines.map((line) => ({
      id: line.id,
      productId: line.productId,
      sku: line.sku,
      name: line.name,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      discount: line.discount,
      taxClass: line.taxClass,
      vatRate: line.vatRateBp / 100,
      vat: line.vat,
      total: line.total,
      returnedQuantity: line.returnedQuantity,
    })),
    subtotal: sale.subtotal,
    discountTotal: sale.discountTotal,
    vatTotal: sale.vatTotal,
    total: sale.total,
    vatBreakdown: sale.vatBreakdown,
    payments: payments.map((payment) => ({
      method: payment.method,
      amount: payment.amount,
      reference: payment.reference,
      phone: payment.phone,
    })),
    paid: sale.paid,
    change: sale.change,
    commission: sale.commission - sale.commissionReversed,
    customerPhone: sale.customerPhone,
    occurredAt: sale.occurredAt.toISOString(),
    createdAt: sale.createdAt.toISOString(),
  };
}
