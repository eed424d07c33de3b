import { randomUUID } from 'node:crypto';
import type { BadInputWorld } from './world';

export type Caller = 'admin' | 'manager' | 'cashier' | 'anonymous';

/**
 * A request that every part of an operation would accept. It is never sent as it is: each bad
 * request changes exactly one part of it, so only that part can be the reason for a rejection.
 */
export interface ValidRequest {
  callers: Caller[];
  pathParams?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
}

/** Operations with no input at all to break (no path, query, header or body parameter). */
export const OPERATIONS_WITHOUT_INPUT = [
  'GET /health',
  'GET /ready',
  'GET /api/v1/auth/me',
  'POST /api/v1/auth/logout',
];

const store = {
  code: 'NEWSTORE1',
  name: 'Kisumu Central',
  address: 'Oginga Odinga St 4, Kisumu',
  phone: '0712345678',
  currency: 'KES',
  timeZone: 'Africa/Nairobi',
  kraPin: 'P051234567X',
  lowStockEmails: ['stock@example.co.ke'],
};

const product = {
  sku: 'NEW-SKU-1',
  barcode: '4006381333931',
  name: 'Brookside Milk 500 ml',
  category: 'Dairy',
  unitPrice: 6500,
  costPrice: 5200,
  taxClass: 'standard',
  reorderLevel: 10,
};

const userFields = {
  fullName: 'Jane Wanjiku',
  email: 'jane@example.co.ke',
  role: 'cashier',
  commissionRate: 2.5,
  password: 'correct-horse-battery',
};

/** One valid request per operation of the OpenAPI document that takes input, by `METHOD path`. */
export function validRequests(world: BadInputWorld): Record<string, ValidRequest> {
  const { storeId, otherStoreId, productId, saleId, saleLineId, transferId, cashierId } = world;
  const everyone: Caller[] = ['admin', 'cashier'];
  const admin: Caller[] = ['admin'];
  return {
    'POST /api/v1/auth/login': {
      callers: ['anonymous'],
      body: { username: world.cashierUsername, password: 'not-the-password' },
    },
    'POST /api/v1/auth/refresh': {
      callers: ['anonymous'],
      body: { refreshToken: 'a-refresh-token-that-was-never-issued' },
    },
    'POST /api/v1/auth/password': {
      callers: everyone,
      body: { currentPassword: world.password, newPassword: 'a-new-password-123' },
    },
    'GET /api/v1/audit-logs': { callers: admin },
    'GET /api/v1/users': { callers: admin },
    'POST /api/v1/users': {
      callers: admin,
      body: { username: 'jwanjiku', storeIds: [storeId], ...userFields },
    },
    'GET /api/v1/users/{id}': { callers: admin, pathParams: { id: cashierId } },
    'PATCH /api/v1/users/{id}': {
      callers: admin,
      pathParams: { id: cashierId },
      body: { ...userFields, storeIds: [storeId], active: true },
    },
    'GET /api/v1/stores': { callers: everyone },
    'POST /api/v1/stores': { callers: admin, body: store },
    'GET /api/v1/stores/{id}': { callers: everyone, pathParams: { id: storeId } },
    'PATCH /api/v1/stores/{id}': {
      callers: admin,
      pathParams: { id: storeId },
      body: { ...store, active: true },
    },
    'GET /api/v1/products': { callers: everyone },
    'POST /api/v1/products': { callers: ['admin', 'manager'], body: product },
    'GET /api/v1/products/barcode/{barcode}': {
      callers: everyone,
      pathParams: { barcode: product.barcode },
    },
    'GET /api/v1/products/{id}': { callers: everyone, pathParams: { id: productId } },
    'PATCH /api/v1/products/{id}': {
      callers: ['admin', 'manager'],
      pathParams: { id: productId },
      body: { ...product, active: true },
    },
    'GET /api/v1/stores/{storeId}/inventory': { callers: everyone, pathParams: { storeId } },
    'PATCH /api/v1/stores/{storeId}/inventory/{productId}': {
      callers: ['admin', 'manager'],
      pathParams: { storeId, productId },
      body: { reorderLevel: 3 },
    },
    'POST /api/v1/stores/{storeId}/inventory/adjustments': {
      callers: ['admin', 'manager'],
      pathParams: { storeId },
      body: { productId, delta: 5, reason: 'receiving', note: 'Delivery note 4411' },
    },
    'GET /api/v1/stores/{storeId}/stock-movements': { callers: admin, pathParams: { storeId } },
    'POST /api/v1/sales': {
      callers: everyone,
      headers: { 'idempotency-key': randomUUID() },
      body: {
        storeId,
        items: [{ productId, quantity: 1, discount: 100 }],
        payments: [
          { method: 'mpesa', amount: 11500, reference: 'QKT4XYZ12A', phone: '0712345678' },
        ],
        customerPhone: '0722000111',
        occurredAt: new Date().toISOString(),
      },
    },
    'GET /api/v1/sales': { callers: everyone },
    'GET /api/v1/sales/{id}': { callers: everyone, pathParams: { id: saleId } },
    'POST /api/v1/sales/{id}/returns': {
      callers: ['admin', 'manager'],
      pathParams: { id: saleId },
      body: {
        items: [{ lineId: saleLineId, quantity: 1 }],
        reason: 'Damaged packaging',
        restock: true,
        refundMethod: 'cash',
      },
    },
    'POST /api/v1/transfers': {
      callers: everyone,
      body: {
        fromStoreId: otherStoreId,
        toStoreId: storeId,
        items: [{ productId, quantity: 2 }],
        note: 'Running low before the weekend',
      },
    },
    'GET /api/v1/transfers': { callers: everyone },
    'GET /api/v1/transfers/{id}': { callers: everyone, pathParams: { id: transferId } },
    'POST /api/v1/transfers/{id}/approve': {
      callers: ['admin', 'manager'],
      pathParams: { id: transferId },
      body: {},
    },
    'POST /api/v1/transfers/{id}/reject': {
      callers: ['admin', 'manager'],
      pathParams: { id: transferId },
      body: { reason: 'We need this stock ourselves' },
    },
    'POST /api/v1/transfers/{id}/cancel': {
      callers: everyone,
      pathParams: { id: transferId },
      body: {},
    },
    'GET /api/v1/reports/sales-summary': { callers: admin },
    'GET /api/v1/reports/top-products': { callers: admin },
    'GET /api/v1/reports/cashiers': { callers: admin },
    'GET /api/v1/reports/inventory-valuation': { callers: admin },
  };
}
