import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  isISO8601,
  IsUUID,
  registerDecorator,
  ValidateIf,
  ValidationOptions,
} from 'class-validator';
import { isTwoDecimalPercent } from '../money/money';

const lowerCase = (value: unknown): unknown =>
  typeof value === 'string' ? value.toLowerCase() : value;

/**
 * A UUID, any version, in lower case: PostgreSQL answers ids in lower case and the services
 * compare ids as strings, so `AB12…` and `ab12…` must arrive as the same id.
 */
export function IsId(options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      Array.isArray(value) ? value.map(lowerCase) : lowerCase(value),
    ),
    IsUUID('all', options),
  );
}

/**
 * An ISO 8601 date or date-time that JavaScript can read: strict ISO 8601 alone lets through
 * forms such as `2026-11-25T09` or `2026-W48-3`, which become an Invalid Date and would reach
 * PostgreSQL as garbage.
 */
export function IsTimestamp(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTimestamp',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: `${String(propertyName)} must be an ISO 8601 date-time such as 2026-11-25T09:30:00Z`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          isISO8601(value, { strict: true }) &&
          !Number.isNaN(Date.parse(value)),
      },
    });
}

/**
 * A percentage with at most two decimals, not negative. class-validator's
 * `IsNumber({ maxDecimalPlaces })` counts the digits after the '.' of the number's string form,
 * and throws (a 500) on numbers JavaScript writes without one, such as 5e-7.
 */
export function IsPercentage(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPercentage',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: `${String(propertyName)} must be a percentage with at most 2 decimals`,
        ...options,
      },
      validator: { validate: (value: unknown) => isTwoDecimalPercent(value) },
    });
}

/**
 * For date-times in a query string: it decodes '+' as a space, so the unencoded
 * `from=2026-03-01T09:00:00+03:00` arrives as `…T09:00:00 03:00`. Puts the offset's '+' back.
 */
export function OffsetPlusRestored(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.replace(/(T[\d:.]+) (\d{2}(?::?\d{2})?)$/, '$1+$2') : value,
  );
}

/** On an update: the field may be left out, but not set to null (its column is NOT NULL). */
export const UnlessAbsent = () => ValidateIf((_object, value) => value !== undefined);

/**
 * Between `min` and `max` characters as PostgreSQL counts them (code points). class-validator's
 * Length and MaxLength do not count an emoji's variation selector (U+FE0F), so 200 `❤️` passed
 * as 200 characters and a varchar(200) column refused them: a 500.
 */
export function Chars(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'chars',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [min, max],
      options: {
        message:
          min > 0
            ? `${String(propertyName)} must be ${min}-${max} characters long`
            : `${String(propertyName)} must be at most ${max} characters long`,
        ...options,
      },
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          const length = [...value].length;
          return length >= min && length <= max;
        },
      },
    });
}

/** At most `max` characters as PostgreSQL counts them (see Chars). */
export function MaxChars(max: number, options?: ValidationOptions): PropertyDecorator {
  return Chars(0, max, options);
}
