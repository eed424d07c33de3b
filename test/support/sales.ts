import { randomUUID } from 'node:crypto';
import type { TestApp } from './app';
import { bearer } from './auth';

export interface SaleItem {
  productId: string;
  quantity: number;
  discount?: number;
}

/** POST /api/v1/sales paying exactly `amount` in cash (or the payments given). */
export function postSale(
  api: TestApp,
  token: string,
  body: { storeId: string; items: SaleItem[]; payments?: object[]; [key: string]: unknown },
  idempotencyKey: string | null = randomUUID(),
  cashAmount = 100_000_000,
) {
  return api.request({
    method: 'POST',
    url: '/api/v1/sales',
    headers: {
      ...bearer(token),
      ...(idempotencyKey === null ? {} : { 'idempotency-key': idempotencyKey }),
    },
    payload: { payments: [{ method: 'cash', amount: cashAmount }], ...body },
  });
}
