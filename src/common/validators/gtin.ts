import { Matches, registerDecorator } from 'class-validator';

const GTIN_LENGTHS = new Set([8, 12, 13, 14]);
/** Lengths at which a barcode is taken to be a GTIN (EAN-8, UPC-A, EAN-13) and must check out. */
const CHECKED_BARCODE = /^(?:\d{8}|\d{12}|\d{13})$/;
const BARCODE = /^[0-9A-Za-z-]{1,32}$/;

/**
 * GS1 mod-10 check: from the digit left of the check digit leftwards, weights 3, 1, 3, 1…;
 * the check digit brings the weighted sum up to a multiple of 10. GTIN-8, -12, -13 and -14.
 */
export function isValidGtin(code: string): boolean {
  if (!/^\d+$/.test(code) || !GTIN_LENGTHS.has(code.length)) return false;
  const digits = [...code].map(Number);
  const checkDigit = digits.pop();
  const sum = digits
    .reverse()
    .reduce((total, digit, index) => total + digit * (index % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === checkDigit;
}

/**
 * The UPC-A a UPC-E code stands for (8 digits: number system 0 or 1, six digits, check digit),
 * or undefined for 8 digits that cannot be UPC-E. A UPC-E check digit is that UPC-A's.
 */
export function expandUpcE(code: string): string | undefined {
  if (!/^[01]\d{7}$/.test(code)) return undefined;
  const [system, d1, d2, d3, d4, d5, d6, check] = [...code];
  const body =
    d6 <= '2'
      ? `${d1}${d2}${d6}0000${d3}${d4}${d5}`
      : d6 === '3'
        ? `${d1}${d2}${d3}00000${d4}${d5}`
        : d6 === '4'
          ? `${d1}${d2}${d3}${d4}00000${d5}`
          : `${d1}${d2}${d3}${d4}${d5}0000${d6}`;
  return `${system}${body}${check}`;
}

/**
 * True unless the barcode looks like a GTIN (8, 12 or 13 digits) with a wrong check digit. Eight
 * digits are EAN-8, or UPC-E (what scanners send for small US packs), checked as its UPC-A.
 */
export function hasValidCheckDigitIfGtin(barcode: unknown): boolean {
  if (typeof barcode !== 'string' || !CHECKED_BARCODE.test(barcode) || isValidGtin(barcode))
    return true;
  const upcA = barcode.length === 8 ? expandUpcE(barcode) : undefined;
  return upcA !== undefined && isValidGtin(upcA);
}

/**
 * A product barcode: 1–32 letters, digits or dashes; when it is 8, 12 or 13 digits it is a
 * GTIN and must carry a valid GS1 check digit. Combine with @IsOptional() when it may be absent.
 */
export function IsBarcode(): PropertyDecorator {
  return (target, propertyName) => {
    Matches(BARCODE, {
      message: `${String(propertyName)} must be 1-32 letters, digits or dashes`,
    })(target, propertyName);
    registerDecorator({
      name: 'isGtinCheckDigit',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: `${String(propertyName)} of 8, 12 or 13 digits must be a GTIN with a valid check digit`,
      },
      validator: { validate: hasValidCheckDigitIfGtin },
    });
  };
}
