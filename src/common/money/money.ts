/**
 * Money is an integer number of minor units (cents). Rates are given in basis points
 * (1600 = 16%) so that every computation stays in integers; BigInt keeps the intermediate
 * products exact far beyond any till total.
 */

/** round-half-up(numerator / denominator) for non-negative integers. */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n)
    throw new RangeError('divideRoundHalfUp takes a non-negative numerator');
  return (2n * numerator + denominator) / (2n * denominator);
}

/** A finite, non-negative number with at most two decimals (16, 2.5, 0.07; not 2.555 or 5e-7). */
export function isTwoDecimalPercent(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= 0 &&
    // k / 100 is the double nearest to the decimal k/100, the same one its literal gives.
    Math.round(value * 100) / 100 === value
  );
}

/** Percent with up to two decimals (16, 2.5) → basis points (1600, 250). */
export function percentToBasisPoints(percent: number): number {
  if (!isTwoDecimalPercent(percent)) {
    throw new RangeError(`${percent} is not a percentage with at most two decimals`);
  }
  return Math.round(percent * 100);
}

/** The VAT inside a VAT-inclusive amount: round-half-up(amount × rate / (100 + rate)). */
export function includedVat(amount: number, rateBasisPoints: number): number {
  if (!Number.isSafeInteger(amount) || amount < 0)
    throw new RangeError(`amount must be a non-negative integer, got ${amount}`);
  if (rateBasisPoints === 0) return 0;
  return Number(
    divideRoundHalfUp(BigInt(amount) * BigInt(rateBasisPoints), 10_000n + BigInt(rateBasisPoints)),
  );
}

/** round-half-up(amount × rate%) for a rate in basis points (commission). */
export function percentOf(amount: number, rateBasisPoints: number): number {
  if (!Number.isSafeInteger(amount) || amount < 0)
    throw new RangeError(`amount must be a non-negative integer, got ${amount}`);
  return Number(divideRoundHalfUp(BigInt(amount) * BigInt(rateBasisPoints), 10_000n));
}
