/** Strings that break naive code: SQL and script injection, unicode, control characters. */
export const HOSTILE_STRINGS = [
  "' OR '1'='1",
  '1; DROP TABLE sales; --',
  "'); DELETE FROM inventory; --",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{7*7}}${7*7}',
  '../../../etc/passwd',
  'Ω≈ç√∫˜µ≤≥÷ 田中さん 🧾💸👩🏽‍💻',
  '\u202e\u0644\u0627 RTL override',
  'nul\u0000byte',
  'control\u0001\u0007\u001b[31m\u007f',
  'line\r\nbreak\ttab',
  '\ud800 lone surrogate',
  '',
  ' ',
];

/** Strings that look a little like a UUID, or not at all; none is one. */
export const INVALID_UUIDS = [
  'not-a-uuid',
  '123',
  '-1',
  '1.5',
  '1e308',
  '5d1e7a0c-2b4f-4e8e-8f3a-1c9b6d2e4f7', // one digit short
  '5d1e7a0c-2b4f-4e8e-8f3a-1c9b6d2e4f700', // one digit long
  '5d1e7a0c-2b4f-4e8e-8f3a-1c9b6d2e4f7g', // not hex
  '5d1e7a0c2b4f4e8e8f3a1c9b6d2e4f70-', // dashes misplaced
  '{5d1e7a0c-2b4f-4e8e-8f3a-1c9b6d2e4f70}',
  "5d1e7a0c-2b4f-4e8e-8f3a-1c9b6d2e4f70' OR '1'='1",
  'a'.repeat(5000),
  ...HOSTILE_STRINGS,
];

/** A UUID, in canonical 8-4-4-4-12 hex form. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Numbers no integer field of API.md takes: beyond 2^53, fractional, or absurd. */
export const HUGE_NUMBERS = [2 ** 53, 2 ** 53 + 2, 1e21, 1e308, Number.MAX_VALUE];
export const FRACTIONS = [0.5, 1.5, -0.5, 1e-7];

/** Not numbers, though naive parsing might take them for one. */
export const NUMBER_LIKE_STRINGS = ['1', '0x10', '1e3', 'NaN', 'Infinity', '-Infinity', ' 2 ', ''];
