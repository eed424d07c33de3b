import {
  divideRoundHalfUp,
  includedVat,
  isTwoDecimalPercent,
  percentOf,
  percentToBasisPoints,
} from '../../src/common/money/money';

describe('money math', () => {
  it('rounds half up', () => {
    expect(divideRoundHalfUp(5n, 2n)).toBe(3n);
    expect(divideRoundHalfUp(7n, 2n)).toBe(4n);
    expect(divideRoundHalfUp(1n, 3n)).toBe(0n);
    expect(divideRoundHalfUp(2n, 3n)).toBe(1n);
    expect(divideRoundHalfUp(0n, 3n)).toBe(0n);
  });

  it('extracts 16% VAT from VAT-inclusive amounts', () => {
    expect(includedVat(11600, 1600)).toBe(1600); // KES 116.00 = 100.00 + 16.00
    expect(includedVat(100, 1600)).toBe(14); // 13.79… → 14
    expect(includedVat(29, 1600)).toBe(4); // exactly 4
    expect(includedVat(1, 1600)).toBe(0);
    expect(includedVat(0, 1600)).toBe(0);
    expect(includedVat(99_999_999_999, 1600)).toBe(13_793_103_448);
  });

  it('has no VAT at a zero rate', () => {
    expect(includedVat(5000, 0)).toBe(0);
  });

  it('rounds exactly half-way VAT up', () => {
    // At 16% an exact half never occurs for integer amounts, so check the rule at 100%.
    expect(includedVat(5, 10_000)).toBe(3); // 2.5 → 3
    expect(includedVat(3, 10_000)).toBe(2); // 1.5 → 2
  });

  it('converts percentages with two decimals to basis points and refuses more', () => {
    expect(percentToBasisPoints(16)).toBe(1600);
    expect(percentToBasisPoints(2.5)).toBe(250);
    expect(percentToBasisPoints(0.07)).toBe(7);
    expect(() => percentToBasisPoints(2.555)).toThrow(RangeError);
    expect(() => percentToBasisPoints(-1)).toThrow(RangeError);
    expect(() => percentToBasisPoints(5e-7)).toThrow(RangeError);
  });

  it('tells percentages with at most two decimals, whatever their string form', () => {
    for (const valid of [0, 16, 2.5, 0.07, 2.55, 99.99, 100]) {
      expect(isTwoDecimalPercent(valid)).toBe(true);
    }
    // 5e-7 and 1e-21 have no '.' in their string form: class-validator's maxDecimalPlaces threw on them.
    for (const invalid of [2.555, 0.001, 5e-7, -5e-7, 1e-21, -1, NaN, Infinity, '16', null]) {
      expect(isTwoDecimalPercent(invalid)).toBe(false);
    }
  });

  it('takes a percentage of an amount, rounding half up', () => {
    expect(percentOf(10000, 250)).toBe(250);
    expect(percentOf(30, 250)).toBe(1); // 0.75 → 1
    expect(percentOf(20, 250)).toBe(1); // 0.5 → 1
    expect(percentOf(19, 250)).toBe(0); // 0.475 → 0
  });

  it('refuses fractional or negative amounts', () => {
    expect(() => includedVat(1.5, 1600)).toThrow(RangeError);
    expect(() => includedVat(-1, 1600)).toThrow(RangeError);
    expect(() => percentOf(-1, 250)).toThrow(RangeError);
  });
});
