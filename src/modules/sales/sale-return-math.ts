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
 * Commission to take back now: the commission's share of the ex-VAT amount returned so far (this
 * return included) minus what earlier returns already took back. A fully returned sale ends with
 * its whole commission reversed.
 */
export function commissionToReverse(sale: CommissionedSale, exVatReturnedSoFar: number): number {
  const reversedSoFar = allocate(sale.commission, exVatReturnedSoFar, sale.total - sale.vatTotal);
  return reversedSoFar - sale.commissionReversed;
}
