import { allocate } from './sale-math';

/** The part of a sale line that a return works on. */
export interface ReturnableLine {
  quantity: number;
  returnedQuantity: number;
  /** VAT-inclusive amount the customer paid for the whole line. */
  total: number;
  vat: number;
}

export interface LineRefund {
  refund: number;
  vat: number;
}

/**
 * Refund and VAT for `quantity` more units of a line. Allocated cumulatively (share of all units
 * returned so far minus the share already refunded), so the returns of a line add up exactly to
 * its total and its VAT, whatever the split.
 */
export function refundOf(line: ReturnableLine, quantity: number): LineRefund {
  const before = line.returnedQuantity;
  const after = before + quantity;
  return {
    refund:
      allocate(line.total, after, line.quantity) - allocate(line.total, before, line.quantity),
    vat: allocate(line.vat, after, line.quantity) - allocate(line.vat, before, line.quantity),
  };
}

export interface CommissionedSale {
  total: number;
  vatTotal: number;
  commission: number;
  commissionReversed: number;
}

/**
 * The ex-VAT amount of the units returned so far (`returnedQuantity`, this return included),
 * allocated per line from its own ex-VAT amount. Not Σ (refund − VAT): refund and VAT are
 * rounded separately, and on a line under a cent a unit one more unit can refund 0 with 1 of
 * VAT, which would make the amount returned, and so the commission reversed, go down.
 */
export function exVatReturned(lines: ReturnableLine[]): number {
  return lines.reduce(
    (acc, line) => acc + allocate(line.total - line.vat, line.returnedQuantity, line.quantity),
    0,
  );
}

/**
 * Commission to take back now: the commission's share of the ex-VAT amount returned so far
 * (`exVatReturned`) minus what earlier returns already took back; never negative. A fully
 * returned sale ends with its whole commission reversed.
 */
export function commissionToReverse(sale: CommissionedSale, exVatReturnedSoFar: number): number {
  const reversedSoFar = allocate(sale.commission, exVatReturnedSoFar, sale.total - sale.vatTotal);
  return Math.max(0, reversedSoFar - sale.commissionReversed);
}
