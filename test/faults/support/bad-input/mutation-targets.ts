import { randomUUID } from 'node:crypto';
import * as fc from 'fast-check';
import type { Caller } from './valid-requests';
import type { BadInputWorld } from './world';
import {
  anyString,
  invalidEnum,
  invalidInteger,
  invalidText,
  invalidUuid,
  notAnInteger,
  otherTypes,
  stringNotMatching,
  tooLong,
  withNul,
} from './invalid-arbitraries';

/** A valid request to a money or stock endpoint, and for each field the values it refuses. */
export interface MutationTarget {
  caller: Caller;
  method: 'POST';
  url: string;
  /** Fresh per request (an Idempotency-Key). */
  headers: () => Record<string, string>;
  body: Record<string, unknown>;
  /** Field path (`items.0.quantity`) → values that field refuses whatever the rest is. */
  fields: Record<string, fc.Arbitrary<unknown>>;
  /** Fields refused for their company rather than their value, and what the error names then. */
  conflicts?: Record<string, string[]>;
}

const PAYMENT_METHODS = ['cash', 'mpesa', 'card'];
const ADJUSTMENT_REASONS = ['receiving', 'damage', 'theft', 'count', 'correction', 'expiry'];
const ROLES = ['admin', 'manager', 'cashier'];
const TAX_CLASSES = ['standard', 'zero', 'exempt'];
const MAX_MINOR_UNITS = 1_000_000_000_000;
const MAX_REORDER_LEVEL = 1_000_000;

/** API.md: `07XXXXXXXX`, `01XXXXXXXX`, `+2547…`, `+2541…`, `2547…`, `2541…`, spaces allowed. */
const KENYAN_PHONE = /^(?:\+?254|0)[17]\d{8}$/;
const notKenyanPhone = (required: boolean) =>
  fc.oneof(
    anyString.filter((value) => !KENYAN_PHONE.test(value.replace(/\s/g, ''))),
    fc.constantFrom('0812345678', '+254812345678', '071234567', '07123456789', '+1 212 555 0100'),
    otherTypes('string', required),
  );

const notAnArray = (required: boolean) => fc.oneof(otherTypes('array', required), fc.constant([]));

const notBoolean = fc.oneof(
  fc.constantFrom('true', 'false', 1, 0, 'yes'),
  otherTypes('boolean', true),
);

/** Any value of a field that must not be there alongside another one (API.md: exactly one). */
const anyCount = fc.oneof(fc.nat(), invalidInteger(false, 0));

const noTimestamp = fc.oneof(
  anyString.filter((value) => Number.isNaN(Date.parse(value))),
  fc.constantFrom('2025-13-45T25:61:00Z', '2025-02-30T10:00:00Z', 'yesterday'),
  otherTypes('string', false),
);

/** Percent with up to 2 decimals (API.md): negative, over 100 or finer than a hundredth. */
const invalidCommissionRate = fc.oneof(
  fc.double({ max: -0.01, noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: 100.01, noNaN: true, noDefaultInfinity: true }),
  fc
    .integer({ min: 0, max: 9999 })
    .map((hundredths) => hundredths / 100 + 0.005)
    .filter((rate) => !/^\d+(\.\d{1,2})?$/.test(String(rate))),
  otherTypes('number', false),
);

/** 8, 12 or 13 digits with a wrong GTIN check digit, or characters no barcode has. */
const invalidBarcode = fc.oneof(
  fc.constantFrom('4006381333932', '96385075', '036000291453'),
  stringNotMatching(/^[0-9A-Za-z-]{1,32}$/),
  tooLong(32),
  otherTypes('string', false),
);

export const MUTATION_TARGETS: Record<string, (world: BadInputWorld) => MutationTarget> = {
  'POST /sales': (world) => ({
    caller: 'cashier',
    method: 'POST',
    url: '/api/v1/sales',
    headers: () => ({ 'idempotency-key': randomUUID() }),
    body: {
      storeId: world.storeId,
      items: [{ productId: world.productId, quantity: 1, discount: 0 }],
      payments: [{ method: 'cash', amount: 11600 }],
    },
    fields: {
      storeId: invalidUuid(true),
      items: notAnArray(true),
      'items.0.productId': invalidUuid(true),
      'items.0.quantity': invalidInteger(true, 1),
      'items.0.discount': invalidInteger(false, 0),
      // Not []: a sale whose total is 0 is paid with no payment, so [] is refused (422
      // PAYMENT_MISMATCH) for what the rest of the sale costs, not for itself.
      payments: otherTypes('array', true),
      'payments.0.method': invalidEnum(PAYMENT_METHODS, true),
      'payments.0.amount': invalidInteger(true, 0),
      'payments.0.reference': fc.oneof(withNul, otherTypes('string', false)),
      'payments.0.phone': notKenyanPhone(false),
      customerPhone: notKenyanPhone(false),
      occurredAt: noTimestamp,
    },
  }),
  'POST /sales/:id/returns': (world) => ({
    caller: 'manager',
    method: 'POST',
    url: `/api/v1/sales/${world.saleId}/returns`,
    headers: () => ({}),
    body: {
      items: [{ lineId: world.saleLineId, quantity: 1 }],
      reason: 'Damaged packaging',
      restock: true,
      refundMethod: 'cash',
    },
    fields: {
      items: notAnArray(true),
      'items.0.lineId': invalidUuid(true),
      'items.0.quantity': invalidInteger(true, 1),
      reason: invalidText(true, 200),
      restock: notBoolean,
      refundMethod: invalidEnum(PAYMENT_METHODS, true),
    },
  }),
  'POST /stores/:id/inventory/adjustments (delta)': (world) => ({
    caller: 'manager',
    method: 'POST',
    url: `/api/v1/stores/${world.storeId}/inventory/adjustments`,
    headers: () => ({}),
    body: { productId: world.productId, delta: -2, reason: 'damage', note: 'Dropped crate' },
    fields: {
      productId: invalidUuid(true),
      delta: fc.oneof(fc.constant(0), notAnInteger(true)),
      countedQuantity: anyCount,
      reason: invalidEnum(ADJUSTMENT_REASONS, true),
      note: invalidText(false),
    },
    conflicts: { countedQuantity: ['delta', 'countedQuantity'] },
  }),
  'POST /stores/:id/inventory/adjustments (count)': (world) => ({
    caller: 'admin',
    method: 'POST',
    url: `/api/v1/stores/${world.storeId}/inventory/adjustments`,
    headers: () => ({}),
    body: { productId: world.productId, countedQuantity: 17, reason: 'count' },
    fields: {
      countedQuantity: invalidInteger(true, 0),
      delta: fc.oneof(fc.integer(), notAnInteger(false)),
    },
    conflicts: { delta: ['delta', 'countedQuantity'] },
  }),
  'POST /transfers': (world) => ({
    caller: 'cashier',
    method: 'POST',
    url: '/api/v1/transfers',
    headers: () => ({}),
    body: {
      fromStoreId: world.otherStoreId,
      toStoreId: world.storeId,
      items: [{ productId: world.productId, quantity: 1 }],
      note: 'Weekend stock',
    },
    fields: {
      fromStoreId: invalidUuid(true),
      toStoreId: invalidUuid(true),
      items: notAnArray(true),
      'items.0.productId': invalidUuid(true),
      'items.0.quantity': invalidInteger(true, 1),
      note: invalidText(false, 500),
    },
  }),
  'POST /products': () => ({
    caller: 'admin',
    method: 'POST',
    url: '/api/v1/products',
    headers: () => ({}),
    body: {
      sku: 'NEW-SKU-1',
      barcode: '4006381333931',
      name: 'Brookside Milk 500 ml',
      category: 'Dairy',
      unitPrice: 6500,
      costPrice: 5200,
      taxClass: 'standard',
      reorderLevel: 10,
    },
    fields: {
      sku: fc.oneof(stringNotMatching(/^[A-Za-z0-9._-]{1,64}$/), otherTypes('string', true)),
      barcode: invalidBarcode,
      name: invalidText(true, 200),
      category: fc.oneof(withNul, tooLong(100), otherTypes('string', false)),
      unitPrice: invalidInteger(true, 0, MAX_MINOR_UNITS),
      costPrice: invalidInteger(false, 0, MAX_MINOR_UNITS),
      taxClass: invalidEnum(TAX_CLASSES, false),
      reorderLevel: invalidInteger(false, 0, MAX_REORDER_LEVEL),
    },
  }),
  'POST /users': (world) => ({
    caller: 'admin',
    method: 'POST',
    url: '/api/v1/users',
    headers: () => ({}),
    body: {
      username: 'jwanjiku',
      password: 'correct-horse-battery',
      fullName: 'Jane Wanjiku',
      email: 'jane@example.co.ke',
      role: 'cashier',
      storeIds: [world.storeId],
      commissionRate: 2.5,
    },
    fields: {
      username: fc.oneof(withNul, otherTypes('string', true)),
      password: fc.oneof(
        fc.string({ maxLength: 9 }), // API.md: at least 10 characters
        withNul,
        otherTypes('string', true),
      ),
      fullName: invalidText(true),
      email: fc.oneof(
        anyString.filter((value) => !value.includes('@')),
        otherTypes('string', false),
      ),
      role: invalidEnum(ROLES, true),
      storeIds: fc.oneof(
        fc.constant(world.storeId),
        fc.array(invalidUuid(true), { minLength: 1, maxLength: 3 }),
        otherTypes('array', true),
      ),
      commissionRate: invalidCommissionRate,
    },
  }),
  'POST /auth/login': (world) => ({
    caller: 'anonymous',
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: () => ({}),
    body: { username: world.cashierUsername, password: world.password },
    fields: {
      username: fc.oneof(withNul, otherTypes('string', true)),
      password: fc.oneof(withNul, otherTypes('string', true)),
    },
  }),
};

/** The body with one field (a dotted path) set to a value; undefined leaves it out. */
export function withField(body: Record<string, unknown>, path: string, value: unknown): unknown {
  const [head, ...rest] = path.split('.');
  const copy: Record<string, unknown> | unknown[] = Array.isArray(body) ? [...body] : { ...body };
  const next =
    rest.length === 0
      ? value
      : withField(
          (body as Record<string, unknown>)[head] as Record<string, unknown>,
          rest.join('.'),
          value,
        );
  (copy as Record<string, unknown>)[head] = next;
  return copy;
}
