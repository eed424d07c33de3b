import { Transform } from 'class-transformer';
import { Matches } from 'class-validator';

const KENYAN_MOBILE = /^(?:\+?254|0)([17]\d{8})$/;

/**
 * `07XXXXXXXX`, `01XXXXXXXX`, `+2547…`, `+2541…`, `2547…`, `2541…` (spaces allowed) → `+2547XXXXXXXX`.
 * Returns null for anything else.
 */
export function normalizeKenyanPhone(input: string): string | null {
  const compact = input.replace(/[\s-]/g, '');
  const match = KENYAN_MOBILE.exec(compact);
  return match ? `+254${match[1]}` : null;
}

/** Normalizes a Kenyan phone field to E.164 and rejects anything that is not one. */
export function IsKenyanPhone(): PropertyDecorator {
  return (target, key) => {
    Transform(({ value }) =>
      typeof value === 'string' ? (normalizeKenyanPhone(value) ?? value) : value,
    )(target, key);
    Matches(/^\+254[17]\d{8}$/, {
      message: `${String(key)} must be a Kenyan phone number (07XXXXXXXX, 01XXXXXXXX or +2547XXXXXXXX)`,
    })(target, key);
  };
}
