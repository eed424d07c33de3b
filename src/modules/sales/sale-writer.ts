import type { SqlStatement } from '../../common/database/sql-statement';
import type { SaleLine } from './sale-line.entity';
import type { SalePayment } from './sale-payment.entity';
import type { Sale } from './sale.entity';

export type NewSale = Omit<Sale, 'receiptSeq' | 'receiptNumber' | 'createdAt'>;

export interface WrittenSale {
  receiptSeq: number;
  receiptNumber: string;
  createdAt: Date;
}

/**
 * A sale as one statement: the store's next receipt number (the counter row is the contended
 * lock, so this goes in the sale's last round trip), the sale, its lines and payments.
 * The receipt number is the store code and the sequence, zero-padded to at least 6 digits.
 */
export function saleStatement(
  storeCode: string,
  sale: NewSale,
  lines: SaleLine[],
  payments: SalePayment[],
): SqlStatement<WrittenSale> {
  return {
    text: `WITH counter AS (
         INSERT INTO receipt_counters (store_id, last_number) VALUES ($2, 1)
         ON CONFLICT (store_id) DO UPDATE SET last_number = receipt_counters.last_number + 1
         RETURNING last_number
       ), sale AS (
         INSERT INTO sales (id, store_id, receipt_seq, receipt_number, cashier_id, status, subtotal,
                            discount_total, vat_total, total, paid, change, commission,
                            commission_rate_bp, commission_reversed, vat_breakdown, customer_phone, occurred_at)
         SELECT $1, $2, last_number,
                $3 || '-' || lpad(last_number::text, greatest(6, length(last_number::text)), '0'),
                $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16, $17
           FROM counter
         RETURNING receipt_seq, receipt_number, created_at
       ), line AS (
         INSERT INTO sale_lines (id, sale_id, store_id, line_no, product_id, sku, name, quantity,
                                 unit_price, discount, tax_class, vat_rate_bp, vat, total, returned_quantity)
         SELECT id, $1, $2, line_no, product_id, sku, name, quantity, unit_price, discount, tax_class,
                vat_rate_bp, vat, total, 0
           FROM unnest($18::uuid[], $19::smallint[], $20::uuid[], $21::text[], $22::text[], $23::int[],
                       $24::bigint[], $25::bigint[], $26::text[], $27::int[], $28::bigint[], $29::bigint[])
                AS line(id, line_no, product_id, sku, name, quantity, unit_price, discount, tax_class,
                        vat_rate_bp, vat, total)
       ), payment AS (
         INSERT INTO sale_payments (sale_id, store_id, position, method, amount, reference, phone)
         SELECT $1, $2, position, method, amount, reference, phone
           FROM unnest($30::text[], $31::bigint[], $32::text[], $33::text[]) WITH ORDINALITY
                AS payment(method, amount, reference, phone, position)
       )
       SELECT receipt_seq, receipt_number, created_at FROM sale`,
    values: [
      sale.id,
      sale.storeId,
      storeCode,
      sale.cashierId,
      sale.status,
      sale.subtotal,
      sale.discountTotal,
      sale.vatTotal,
      sale.total,
      sale.paid,
      sale.change,
      sale.commission,
      sale.commissionRateBp,
      sale.commissionReversed,
      JSON.stringify(sale.vatBreakdown),
      sale.customerPhone,
      sale.occurredAt,
      lines.map((line) => line.id),
      lines.map((line) => line.lineNo),
      lines.map((line) => line.productId),
      lines.map((line) => line.sku),
      lines.map((line) => line.name),
      lines.map((line) => line.quantity),
      lines.map((line) => line.unitPrice),
      lines.map((line) => line.discount),
      lines.map((line) => line.taxClass),
      lines.map((line) => line.vatRateBp),
      lines.map((line) => line.vat),
      lines.map((line) => line.total),
      payments.map((payment) => payment.method),
      payments.map((payment) => payment.amount),
      payments.map((payment) => payment.reference),
      payments.map((payment) => payment.phone),
    ],
    read: ([row]) => ({
      receiptSeq: row.receipt_seq as number,
      receiptNumber: row.receipt_number as string,
      createdAt: row.created_at as Date,
    }),
  };
}
