import {
  commissionToReverse,
  exVatReturned,
  refundOf,
} from '../../src/modules/sales/sale-return-math';

describe('sale return math', () => {
  it('refunds a unit share of total and VAT, rounded half up', () => {
    const line = { quantity: 3, returnedQuantity: 0, total: 10000, vat: 1379 };
    expect(refundOf(line, 1)).toEqual({ refund: 3333, vat: 460 });
  });

  it.each([[[1, 1, 1]], [[2, 1]], [[1, 2]], [[3]]])(
    'partial returns %j of a line add up exactly to its total and VAT',
    (splits: number[]) => {
      const line = { quantity: 3, returnedQuantity: 0, total: 10000, vat: 1379 };
      let refund = 0;
      let vat = 0;
      for (const quantity of splits) {
        const part = refundOf(line, quantity);
        refund += part.refund;
        vat += part.vat;
        line.returnedQuantity += quantity;
      }
      expect({ refund, vat }).toEqual({ refund: 10000, vat: 1379 });
    },
  );

  it('reverses commission in proportion and all of it once everything came back', () => {
    const sale = { total: 28000, vatTotal: 3172, commission: 621, commissionReversed: 0 };
    const first = commissionToReverse(sale, 9914); // one of two 11500 units, ex VAT
    expect(first).toBe(248); // 621 × 9914 / 24828 = 247.97
    expect(commissionToReverse({ ...sale, commissionReversed: first }, 24828)).toBe(621 - first);
  });

  it('reverses nothing on a sale without an ex-VAT amount', () => {
    const sale = { total: 0, vatTotal: 0, commission: 0, commissionReversed: 0 };
    expect(commissionToReverse(sale, 0)).toBe(0);
  });

  it('never reverses a negative commission when a unit refunds less than its rounded VAT', () => {
    // 11 units for 10 cents after discount, VAT 1: the sixth unit refunds 0 and 1 of VAT.
    const cheap = { quantity: 11, returnedQuantity: 0, total: 10, vat: 1 };
    const full = { quantity: 1, returnedQuantity: 0, total: 11600, vat: 1600 };
    const sale = { total: 11610, vatTotal: 1601, commission: 1001, commissionReversed: 0 };
    const reversals: number[] = [];
    for (let unit = 1; unit <= cheap.quantity; unit++) {
      const reversal = commissionToReverse(
        sale,
        exVatReturned([{ ...cheap, returnedQuantity: unit }, full]),
      );
      reversals.push(reversal);
      sale.commissionReversed += reversal;
    }
    expect(Math.min(...reversals)).toBeGreaterThanOrEqual(0);
    expect(sale.commissionReversed).toBe(1); // 1001 × 9 / 10009, the cheap line's ex-VAT share
    sale.commissionReversed += commissionToReverse(
      sale,
      exVatReturned([
        { ...cheap, returnedQuantity: 11 },
        { ...full, returnedQuantity: 1 },
      ]),
    );
    expect(sale.commissionReversed).toBe(1001);
  });
});
