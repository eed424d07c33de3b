import { validate } from 'class-validator';
import {
  expandUpcE,
  hasValidCheckDigitIfGtin,
  IsBarcode,
  isValidGtin,
} from '../../src/common/validators/gtin';

describe('isValidGtin', () => {
  it.each([
    ['4006381333931', 'EAN-13 (Stabilo pen)'],
    ['5901234123457', 'EAN-13 (GS1 example)'],
    ['5449000000996', 'EAN-13 (Coca-Cola 330 ml can)'],
    ['9780306406157', 'ISBN-13 as EAN-13'],
    ['036000291452', 'UPC-A (Wrigley gum)'],
    ['96385074', 'EAN-8'],
    ['00012345600012', 'GTIN-14'],
    ['10012345678902', 'GTIN-14 (GS1 example)'],
  ])('accepts %s, a %s', (code) => {
    expect(isValidGtin(code)).toBe(true);
  });

  it.each([
    ['4006381333932', 'an EAN-13 with a wrong last digit'],
    ['036000291453', 'a UPC-A with a wrong last digit'],
    ['96385075', 'an EAN-8 with a wrong last digit'],
    ['00012345600013', 'a GTIN-14 with a wrong last digit'],
    ['4006381333', 'a 10-digit code (not a GTIN length)'],
    ['40063813339 1', 'a code with a space'],
    ['ABC40063813', 'letters'],
    ['', 'the empty string'],
  ])('refuses %j, %s', (code) => {
    expect(isValidGtin(code)).toBe(false);
  });
});

describe('expandUpcE', () => {
  it.each([
    ['04252614', '042100005264'], // last digit 0–2: manufacturer ends in it
    ['01234505', '012000003455'],
    ['01234531', '012300000451'], // 3
    ['01234543', '012340000053'], // 4
    ['01234558', '012345000058'], // 5–9
    ['11234558', '112345000058'], // number system 1
  ])('expands %s to the UPC-A %s', (upcE, upcA) => {
    expect(expandUpcE(upcE)).toBe(upcA);
  });

  it('refuses what cannot be UPC-E', () => {
    expect(expandUpcE('96385074')).toBeUndefined(); // number system 9
    expect(expandUpcE('0123456')).toBeUndefined();
  });
});

describe('hasValidCheckDigitIfGtin', () => {
  it('accepts UPC-E codes, whose check digit is their UPC-A’s, and refuses a wrong one', () => {
    for (const code of ['04252614', '01234505', '01234531', '01234543', '01234558']) {
      expect({ code, valid: hasValidCheckDigitIfGtin(code) }).toEqual({ code, valid: true });
    }
    expect(hasValidCheckDigitIfGtin('04252615')).toBe(false);
    expect(hasValidCheckDigitIfGtin('96385075')).toBe(false); // still a wrong EAN-8
  });

  it('checks only 8, 12 and 13 digit codes', () => {
    expect(hasValidCheckDigitIfGtin('4006381333932')).toBe(false);
    expect(hasValidCheckDigitIfGtin('1234567890')).toBe(true);
    expect(hasValidCheckDigitIfGtin('12345678901234')).toBe(true);
    expect(hasValidCheckDigitIfGtin('SHOP-0042')).toBe(true);
  });
});

describe('@IsBarcode()', () => {
  class Example {
    @IsBarcode()
    barcode: unknown;
  }

  async function problems(barcode: unknown): Promise<string[]> {
    const example = Object.assign(new Example(), { barcode });
    const errors = await validate(example);
    return errors.flatMap((error) => Object.values(error.constraints ?? {}));
  }

  it.each(['4006381333931', '036000291452', '96385074', 'SHOP-0042', 'a', '1234567890'])(
    'accepts %s',
    async (barcode) => {
      expect(await problems(barcode)).toEqual([]);
    },
  );

  it('refuses a GTIN with a wrong check digit, saying so', async () => {
    expect(await problems('4006381333932')).toEqual([
      'barcode of 8, 12 or 13 digits must be a GTIN with a valid check digit',
    ]);
  });

  it.each(['', 'x'.repeat(33), 'has space', 'ünïcode', 42])('refuses %j', async (barcode) => {
    expect(await problems(barcode)).toEqual(['barcode must be 1-32 letters, digits or dashes']);
  });
});
