import * as fc from 'fast-check';
import {
  FRACTIONS,
  HOSTILE_STRINGS,
  HUGE_NUMBERS,
  NUMBER_LIKE_STRINGS,
  UUID_PATTERN,
} from './hostile-values';

/**
 * fast-check arbitraries of values a field of API.md refuses, whatever the rest of the body
 * is. Each is built so that no value it yields could be valid for that field.
 */

/** Strings of every kind: injection, unicode, control characters, random code points. */
export const anyString = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

type JsonType = 'string' | 'number' | 'boolean' | 'array' | 'object';

const valuesOfType: Record<JsonType, fc.Arbitrary<unknown>> = {
  string: anyString,
  number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  boolean: fc.boolean(),
  array: fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 3 }),
  object: fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
};

/**
 * JSON values of any type but `type`; for a required field also null and absence (undefined
 * leaves the property out). An optional field may be null: that is the same as leaving it out.
 */
export function otherTypes(type: JsonType, required: boolean): fc.Arbitrary<unknown> {
  const others = (Object.keys(valuesOfType) as JsonType[])
    .filter((other) => other !== type)
    .map((other) => valuesOfType[other]);
  if (required) others.push(fc.constant(null), fc.constant(undefined));
  return fc.oneof(...others);
}

/** PostgreSQL text cannot hold U+0000: the API refuses it in every string. */
export const withNul = fc
  .tuple(anyString, anyString)
  .map(([before, after]) => `${before}\u0000${after}`);

/** Strings that do not match a pattern (every other generated string is filtered out). */
export function stringNotMatching(pattern: RegExp): fc.Arbitrary<string> {
  return anyString.filter((value) => !pattern.test(value));
}

/** Longer than `max` characters even after trimming: no whitespace, astral and control characters. */
export function tooLong(max: number): fc.Arbitrary<string> {
  return fc.string({
    unit: fc.constantFrom('x', 'é', '田', '🧾', '\u0007', "'", '<'),
    minLength: max + 1,
    maxLength: max + 40,
  });
}

export const blank = fc.constantFrom('', ' ', '\t\n ');

/** Free text: another type, NUL, longer than a documented maximum; blank when required. */
export function invalidText(required: boolean, max?: number): fc.Arbitrary<unknown> {
  const refused = [otherTypes('string', required), withNul];
  if (max !== undefined) refused.push(tooLong(max));
  if (required) refused.push(blank);
  return fc.oneof(...refused);
}

export function invalidUuid(required: boolean): fc.Arbitrary<unknown> {
  return fc.oneof(
    stringNotMatching(UUID_PATTERN),
    fc.uuid().map((uuid) => `${uuid}0`),
    fc.uuid().map((uuid) => uuid.slice(1)),
    fc.uuid().map((uuid) => uuid.replace(/-/g, '')),
    otherTypes('string', required),
  );
}

export function invalidEnum(values: readonly string[], required: boolean): fc.Arbitrary<unknown> {
  return fc.oneof(
    stringNotMatching(new RegExp(`^(?:${values.join('|')})$`)),
    fc.constantFrom(
      ...values.map((value) => value.toUpperCase()).filter((value) => !values.includes(value)),
    ),
    fc.constantFrom(...values).map((value) => ` ${value}`),
    otherTypes('string', required),
  );
}

/** Magnitudes from 2^53 up, where JSON numbers stop being exact integers. */
const beyondExactIntegers = [
  fc.double({ min: 2 ** 53, max: Number.MAX_VALUE, noNaN: true }),
  fc.double({ min: -Number.MAX_VALUE, max: -(2 ** 53), noNaN: true }),
];

/** Not a whole number: fractions, numbers beyond 2^53, other types. */
export function notAnInteger(required: boolean): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(...HUGE_NUMBERS, ...FRACTIONS, -(2 ** 53)),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Number.isInteger(value)),
    ...beyondExactIntegers,
    fc.constantFrom(...NUMBER_LIKE_STRINGS),
    otherTypes('number', required),
  );
}

/**
 * Not an integer from `min` to `max` (when API.md gives one): fractions, values below, and
 * values beyond 2^53, where JSON numbers stop being exact integers.
 */
export function invalidInteger(
  required: boolean,
  min: number,
  max?: number,
): fc.Arbitrary<unknown> {
  const outOfRange = [
    fc.integer({ min: -(2 ** 31), max: min - 1 }),
    fc.double({ min: -Number.MAX_VALUE, max: min - 1, noNaN: true }),
  ];
  if (max !== undefined)
    outOfRange.push(fc.integer({ min: max + 1, max: Number.MAX_SAFE_INTEGER }));
  return fc.oneof(notAnInteger(required), fc.constant(min - 1), ...outOfRange);
}

/** A JSON value that is no body of a schema with these properties: not an object, or one with a property nobody declared. */
export function randomJsonBody(declared: string[]): fc.Arbitrary<unknown> {
  return fc
    .jsonValue()
    .filter(
      (value) =>
        typeof value !== 'object' ||
        value === null ||
        Array.isArray(value) ||
        Object.keys(value).some((key) => !declared.includes(key)),
    );
}

/** Text that is not JSON, or JSON that is no object: what a broken client might send. */
export const randomNonObjectText = fc
  .oneof(
    fc.string({ unit: 'binary' }),
    fc.json().map((json) => json.slice(0, -1)),
    fc.json(),
  )
  .filter((text) => {
    try {
      const parsed: unknown = JSON.parse(text);
      return typeof parsed !== 'object' || parsed === null || Array.isArray(parsed);
    } catch {
      return true;
    }
  });
