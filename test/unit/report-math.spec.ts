import { average, changePct } from '../../src/modules/reports/report-math';

describe('changePct', () => {
  it.each([
    [150, 100, 50],
    [50, 100, -50],
    [100, 100, 0],
    [1, 3, -66.67],
    [2, 3, -33.33],
    [1001, 1000, 0.1],
    [10_005, 10_000, 0.05],
    [100_005, 100_000, 0.01], // 0.005 rounds half away from zero
    [99_995, 100_000, -0.01],
    [0, 250, -100],
    [100, -100, 200], // from a net refund to a net sale is an increase
    [-300, -100, -200],
  ])('%d against %d is %d%%', (current, previous, expected) => {
    expect(changePct(current, previous)).toBe(expected);
  });

  it('is null when the previous value was zero', () => {
    expect(changePct(500, 0)).toBeNull();
    expect(changePct(0, 0)).toBeNull();
  });

  it('stays exact for large minor-unit totals', () => {
    expect(changePct(900_000_000_000_123, 900_000_000_000_000)).toBe(0);
    expect(changePct(2_000_000_000_000_000, 1_000_000_000_000_000)).toBe(100);
  });

  it('average rounds half up and is 0 without sales', () => {
    expect(average(1001, 2)).toBe(501);
    expect(average(1000, 3)).toBe(333);
    expect(average(0, 0)).toBe(0);
  });
});
