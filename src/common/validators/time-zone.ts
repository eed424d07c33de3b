import { registerDecorator, ValidationOptions } from 'class-validator';

/**
 * A zone name both JavaScript (periods) and PostgreSQL (days) read the same way: Area/Location
 * or UTC. Bare abbreviations are refused although ICU accepts some (`CAT`, `IST`): PostgreSQL
 * reads an abbreviation before a zone name, as a fixed offset (`CET` is +01:00 all summer) or
 * another place (`IST` is Israel there, India in ICU), or not at all (`CAT`). Whether
 * PostgreSQL knows the name is checked where a store is saved (StoresService).
 */
export function isIanaTimeZone(value: unknown): boolean {
  if (typeof value !== 'string' || value.length === 0) return false;
  if (value !== 'UTC' && !value.includes('/')) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export function IsIanaTimeZone(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isIanaTimeZone',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: `${String(propertyName)} must be an IANA time zone (Area/Location) such as Africa/Nairobi`,
        ...options,
      },
      validator: { validate: isIanaTimeZone },
    });
}
