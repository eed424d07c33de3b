/**
 * Percentage change from `previous` to `current`, rounded half away from zero to 2 decimals;
 * `null` when `previous` is 0 (no base to compare with). Measured against |previous|, so a
 * figure that rises from a negative value (more refunds than sales) reads as an increase.
 * Exact for integer inputs of any size (counts and minor units): computed in BigInt.
 */
export function changePct(current: number, previous: number): number | null {
  if (!Number.isInteger(current) || !Number.isInteger(previous))
    throw new Error('changePct takes integers (counts or minor units)');
  if (previous === 0) return null;
  const hundredths = divideRounded(
    (BigInt(current) - BigInt(previous)) * 10_000n,
    BigInt(previous),
  );
  return Number(hundredths) / 100;
}

/** `numerator / |denominator|` rounded half away from zero. */
function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const divisor = denominator < 0n ? -denominator : denominator;
  const magnitude = numerator < 0n ? -numerator : numerator;
  const rounded = (magnitude * 2n + divisor) / (divisor * 2n);
  return numerator < 0n ? -rounded : rounded;
}

/** Integer average in minor units, rounded half up; 0 when there is nothing to average. */
export function average(total: number, count: number): number {
  if (count === 0) return 0;
  return Number(divideRounded(BigInt(total), BigInt(count)));
}
