import { divideRoundHalfUp, includedVat, percentOf } from '../../common/money/money';
import type { TaxClass } from '../catalog/product.entity';
import type { PaymentMethod } from './sale-payment.entity';

/** VAT rate per tax class, in basis points. `zero` and `exempt` carry no VAT. */
export type VatRates = Record<TaxClass, number>;

export interface SaleItemInput {
  productId: string;
  quantity: number;
  unitPrice: number;
  discount: number;
  taxClass: TaxClass;
}

export interface PricedLine extends SaleItemInput {
  vatRateBp: number;
  /** unitPrice × quantity, before discount. */
  gross: number;
  /** What the customer pays for the line, VAT included. */
  total: number;
  vat: number;
}

export interface SaleTotals {
  subtotal: number;
  discountTotal: number;
  vatTotal: number;
  total: number;
  vatBreakdown: { taxClass: TaxClass; vatRate: number; taxable: number; vat: number }[];
}

export class DiscountTooLargeError extends Error {
  constructor(readonly index: number) {
    super(`discount of line ${index} is larger than the line amount`);
  }
}

/**
 * The largest amount of a line or a sale, in minor units (as for a payment): far below 2^53,
 * so sums of lines stay exact in JavaScript numbers.
 */
export const MAX_SALE_AMOUNT = 1_000_000_000_000;

/** A line (index) or the whole sale (index null) would cost more than MAX_SALE_AMOUNT. */
export class AmountTooLargeError extends Error {
  constructor(readonly index: number | null) {
    super(`${index === null ? 'the sale' : `line ${index}`} would exceed ${MAX_SALE_AMOUNT}`);
  }
}

/** Prices each line: VAT per line = round-half-up(total × rate / (100 + rate)). */
export function priceLines(items: SaleItemInput[], rates: VatRates): PricedLine[] {
  const grossOf = items.map((item) => item.unitPrice * item.quantity);
  const tooLarge = grossOf.findIndex((gross) => gross > MAX_SALE_AMOUNT);
  if (tooLarge >= 0) throw new AmountTooLargeError(tooLarge);
  if (grossOf.reduce((sum, gross) => sum + gross, 0) > MAX_SALE_AMOUNT)
    throw new AmountTooLargeError(null);
  return items.map((item, index) => {
    const gross = grossOf[index];
    if (item.discount > gross) throw new DiscountTooLargeError(index);
    const total = gross - item.discount;
    const vatRateBp = rates[item.taxClass];
    return { ...item, vatRateBp, gross, total, vat: includedVat(total, vatRateBp) };
  });
}

/** Totals are sums of lines; the breakdown groups lines by tax class. */
export function summarize(lines: PricedLine[]): SaleTotals {
  const breakdown = new Map<
    TaxClass,
    { taxClass: TaxClass; vatRate: number; taxable: number; vat: number }
  >();
  for (const line of lines) {
    const entry = breakdown.get(line.taxClass) ?? {
      taxClass: line.taxClass,
      vatRate: line.vatRateBp / 100,
      taxable: 0,
      vat: 0,
    };
    entry.taxable += line.total - line.vat;
    entry.vat += line.vat;
    breakdown.set(line.taxClass, entry);
  }
  const sum = (pick: (line: PricedLine) => number) =>
    lines.reduce((acc, line) => acc + pick(line), 0);
  return {
    subtotal: sum((line) => line.gross),
    discountTotal: sum((line) => line.discount),
    vatTotal: sum((line) => line.vat),
    total: sum((line) => line.total),
    vatBreakdown: [...breakdown.values()].sort(
      (a, b) => b.vatRate - a.vatRate || a.taxClass.localeCompare(b.taxClass),
    ),
  };
}

export interface PaymentInput {
  method: PaymentMethod;
  amount: number;
}

export type Settlement = { ok: true; paid: number; change: number } | { ok: false; reason: string };

/**
 * Payments must cover the total; only cash may exceed what remains due (the excess is change).
 * So card and M-Pesa together may not exceed the total.
 */
export function settle(total: number, payments: PaymentInput[]): Settlement {
  const paid = payments.reduce((acc, payment) => acc + payment.amount, 0);
  const nonCash = payments
    .filter((payment) => payment.method !== 'cash')
    .reduce((acc, payment) => acc + payment.amount, 0);
  if (paid < total)
    return { ok: false, reason: `Payments (${paid}) do not cover the total (${total})` };
  if (nonCash > total)
    return {
      ok: false,
      reason: `Card and M-Pesa payments (${nonCash}) exceed the total (${total}); only cash can be overpaid`,
    };
  return { ok: true, paid, change: paid - total };
}

/** Commission = round(rate % × (total − VAT)). */
export function commissionOf(total: number, vatTotal: number, rateBp: number): number {
  return percentOf(total - vatTotal, rateBp);
}

/**
 * The share of `amount` that belongs to `part` of `whole`, rounded half up. Allocating
 * cumulatively (share of everything returned so far minus what was already refunded) makes
 * several partial returns add up exactly to the original amount.
 */
export function allocate(amount: number, part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Number(divideRoundHalfUp(BigInt(amount) * BigInt(part), BigInt(whole)));
}
