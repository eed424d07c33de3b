import {
  allocate,
  commissionOf,
  AmountTooLargeError,
  DiscountTooLargeError,
  MAX_SALE_AMOUNT,
  priceLines,
  settle,
  summarize,
  VatRates,
} from '../../src/modules/sales/sale-math';

const rates: VatRates = { standard: 1600, zero: 0, exempt: 0 };
const item = (
  unitPrice: number,
  quantity: number,
  taxClass: 'standard' | 'zero' | 'exempt' = 'standard',
  discount = 0,
) => ({
  productId: `p${unitPrice}`,
  unitPrice,
  quantity,
  taxClass,
  discount,
});

describe('sale math', () => {
  describe('VAT per line (VAT-inclusive prices)', () => {
    it.each`
      unitPrice | quantity | discount | taxClass      | total    | vat
      ${11600}  | ${1}     | ${0}     | ${'standard'} | ${11600} | ${1600}
      ${11600}  | ${3}     | ${0}     | ${'standard'} | ${34800} | ${4800}
      ${9999}   | ${1}     | ${0}     | ${'standard'} | ${9999}  | ${1379}
      ${100}    | ${1}     | ${0}     | ${'standard'} | ${100}   | ${14}
      ${11600}  | ${1}     | ${600}   | ${'standard'} | ${11000} | ${1517}
      ${5000}   | ${2}     | ${0}     | ${'zero'}     | ${10000} | ${0}
      ${5000}   | ${2}     | ${0}     | ${'exempt'}   | ${10000} | ${0}
      ${1}      | ${1}     | ${0}     | ${'standard'} | ${1}     | ${0}
      ${4}      | ${1}     | ${0}     | ${'standard'} | ${4}     | ${1}
      ${500}    | ${1}     | ${500}   | ${'standard'} | ${0}     | ${0}
    `(
      '$quantity × $unitPrice − $discount ($taxClass) → total $total, VAT $vat',
      ({ unitPrice, quantity, discount, taxClass, total, vat }) => {
        const [line] = priceLines([item(unitPrice, quantity, taxClass, discount)], rates);
        expect(line.total).toBe(total);
        expect(line.vat).toBe(vat);
      },
    );

    it('refuses a discount larger than the line', () => {
      expect(() => priceLines([item(100, 1), item(100, 2, 'standard', 201)], rates)).toThrow(
        DiscountTooLargeError,
      );
      try {
        priceLines([item(100, 1), item(100, 2, 'standard', 201)], rates);
      } catch (error) {
        expect((error as DiscountTooLargeError).index).toBe(1);
      }
    });
  });

  it('refuses a line or a sale above MAX_SALE_AMOUNT, before any sum loses precision', () => {
    const atMost = priceLines([item(MAX_SALE_AMOUNT / 2, 2)], rates);
    expect(atMost[0].total).toBe(MAX_SALE_AMOUNT);
    const line = () => priceLines([item(100, 1), item(1_000_000_000_000, 10_000)], rates);
    expect(line).toThrow(AmountTooLargeError);
    expect(() => line()).toThrow(expect.objectContaining({ index: 1 }));
    const sale = () => priceLines([item(MAX_SALE_AMOUNT, 1), item(1, 1)], rates);
    expect(sale).toThrow(expect.objectContaining({ index: null }));
  });

  describe('totals of a mixed basket', () => {
    const lines = priceLines(
      [
        item(11600, 2, 'standard', 200),
        item(9999, 1),
        item(25000, 1, 'zero'),
        item(3000, 3, 'exempt', 1000),
      ],
      rates,
    );
    const totals = summarize(lines);

    it('sums the lines: per-line rounding, never recomputed on the total', () => {
      expect(totals.subtotal).toBe(23200 + 9999 + 25000 + 9000);
      expect(totals.discountTotal).toBe(1200);
      expect(totals.total).toBe(23000 + 9999 + 25000 + 8000);
      expect(totals.vatTotal).toBe(3172 + 1379); // 23000×16/116 = 3172.41 → 3172; 9999 → 1379.17 → 1379
      expect(totals.vatTotal).toBe(lines.reduce((sum, line) => sum + line.vat, 0));
    });

    it('breaks VAT down by class, standard first', () => {
      expect(totals.vatBreakdown).toEqual([
        { taxClass: 'standard', vatRate: 16, taxable: 23000 + 9999 - 4551, vat: 4551 },
        { taxClass: 'exempt', vatRate: 0, taxable: 8000, vat: 0 },
        { taxClass: 'zero', vatRate: 0, taxable: 25000, vat: 0 },
      ]);
    });
  });

  describe('payments', () => {
    it('accepts exact split tender', () => {
      expect(
        settle(10000, [
          { method: 'mpesa', amount: 6000 },
          { method: 'card', amount: 4000 },
        ]),
      ).toEqual({ ok: true, paid: 10000, change: 0 });
    });

    it('returns change from cash', () => {
      expect(settle(9500, [{ method: 'cash', amount: 10000 }])).toEqual({
        ok: true,
        paid: 10000,
        change: 500,
      });
      expect(
        settle(9500, [
          { method: 'mpesa', amount: 5000 },
          { method: 'cash', amount: 5000 },
        ]),
      ).toEqual({ ok: true, paid: 10000, change: 500 });
    });

    it('refuses payments that do not cover the total', () => {
      expect(settle(10000, [{ method: 'cash', amount: 9999 }]).ok).toBe(false);
      expect(settle(10000, []).ok).toBe(false);
    });

    it('refuses non-cash payments above the total', () => {
      expect(settle(10000, [{ method: 'card', amount: 10001 }]).ok).toBe(false);
      expect(
        settle(10000, [
          { method: 'mpesa', amount: 6000 },
          { method: 'card', amount: 5000 },
        ]).ok,
      ).toBe(false);
    });
  });

  describe('commission', () => {
    it('is the cashier rate on the ex-VAT total, rounded half up', () => {
      expect(commissionOf(11600, 1600, 250)).toBe(250);
      expect(commissionOf(11600, 1600, 0)).toBe(0);
      expect(commissionOf(34799, 4800, 250)).toBe(750); // 29999 × 2.5% = 749.975
    });
  });

  describe('allocation for partial returns', () => {
    it('adds up exactly to the whole over several partial returns', () => {
      const total = 10001;
      const quantity = 3;
      let refunded = 0;
      for (let returned = 1; returned <= quantity; returned++) {
        const share = allocate(total, returned, quantity) - refunded;
        refunded += share;
      }
      expect(refunded).toBe(total);
    });
  });
});
