import { normalizeKenyanPhone } from '../../src/common/validators/kenyan-phone';

describe('Kenyan phone numbers (API.md: 07…, 01…, +2547…, +2541…, 2547…, 2541…)', () => {
  it.each([
    ['0712345678', '+254712345678'],
    ['0712 345 678', '+254712345678'],
    ['0112-345-678', '+254112345678'],
    ['+254712345678', '+254712345678'],
    ['+254 112 345 678', '+254112345678'],
    ['254712345678', '+254712345678'],
    ['254112345678', '+254112345678'],
  ])('reads %s as %s', (input, e164) => {
    expect(normalizeKenyanPhone(input)).toBe(e164);
  });

  it.each([
    '0812345678', // not a mobile prefix
    '071234567', // one digit short
    '07123456789', // one digit long
    '+255712345678', // Tanzania
    '00254712345678',
    '+2540712345678',
    'phone',
    '',
  ])('refuses %j', (input) => {
    expect(normalizeKenyanPhone(input)).toBeNull();
  });
});
