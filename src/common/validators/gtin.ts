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

/** True unless the barcode looks like a GTIN (8, 12 or 13 digits) with a wrong check digit. */
export function hasValidCheckDigitIfGtin(barcode: unknown): boolean {
  return typeof barcode !== 'string' || !CHECKED_BARCODE.test(barcode) || isValidGtin(barcode);
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
