import { ApiProperty } from '@nestjs/swagger';
import type { SaleLine } from '../sale-line.entity';
import type { SalePayment } from '../sale-payment.entity';
import type { Sale } from '../sale.entity';

export class SaleLineResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: 'integer' }) quantity: number;
  @ApiProperty({ type: 'integer', example: 11600 }) unitPrice: number;
  @ApiProperty({ type: 'integer' }) discount: number;
  @ApiProperty({ enum: ['standard', 'zero', 'exempt'] }) taxClass: string;
  @ApiProperty({ example: 16 }) vatRate: number;
  @ApiProperty({ type: 'integer' }) vat: number;
  @ApiProperty({ type: 'integer' }) total: number;
  @ApiProperty({ type: 'integer' }) returnedQuantity: number;
}

export class SalePaymentResponse {
  @ApiProperty({ enum: ['cash', 'mpesa', 'card'] }) method: string;
  @ApiProperty({ type: 'integer' }) amount: number;
  @ApiProperty({ nullable: true, type: String }) reference: string | null;
  @ApiProperty({ nullable: true, type: String }) phone: string | null;
}

export class VatBreakdownResponse {
  @ApiProperty({ enum: ['standard', 'zero', 'exempt'] }) taxClass: string;
  @ApiProperty({ example: 16 }) vatRate: number;
  @ApiProperty({ type: 'integer', description: 'Amount excluding VAT' }) taxable: number;
  @ApiProperty({ type: 'integer' }) vat: number;
}

export class SaleResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'NBO1-000042' }) receiptNumber: string;
  @ApiProperty({ format: 'uuid' }) storeId: string;
  @ApiProperty({ format: 'uuid' }) cashierId: string;
  @ApiProperty({ enum: ['completed', 'partially_returned', 'returned'] }) status: string;
  @ApiProperty({ type: [SaleLineResponse] }) lines: SaleLineResponse[];
  @ApiProperty({ type: 'integer' }) subtotal: number;
  @ApiProperty({ type: 'integer' }) discountTotal: number;
  @ApiProperty({ type: 'integer' }) vatTotal: number;
  @ApiProperty({ type: 'integer' }) total: number;
  @ApiProperty({ type: [VatBreakdownResponse] }) vatBreakdown: VatBreakdownResponse[];
  @ApiProperty({ type: [SalePaymentResponse] }) payments: SalePaymentResponse[];
  @ApiProperty({ type: 'integer' }) paid: number;
  @ApiProperty({ type: 'integer' }) change: number;
  @ApiProperty({ type: 'integer' }) commission: number;
  @ApiProperty({ nullable: true, type: String }) customerPhone: string | null;
  @ApiProperty() occurredAt: string;
  @ApiProperty() createdAt: string;
}

/** One flat row per sale, for the list and its CSV (no lines or payments). */
export class SaleSummaryResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'NBO1-000042' }) receiptNumber: string;
  @ApiProperty({ format: 'uuid' }) storeId: string;
  @ApiProperty({ format: 'uuid' }) cashierId: string;
  @ApiProperty({ enum: ['completed', 'partially_returned', 'returned'] }) status: string;
  @ApiProperty({ type: 'integer' }) subtotal: number;
  @ApiProperty({ type: 'integer' }) discountTotal: number;
  @ApiProperty({ type: 'integer' }) vatTotal: number;
  @ApiProperty({ type: 'integer' }) total: number;
  @ApiProperty({ type: 'integer' }) paid: number;
  @ApiProperty({ type: 'integer' }) change: number;
  @ApiProperty({ type: 'integer' }) commission: number;
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
