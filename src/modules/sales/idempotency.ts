import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';

/** SHA-256 of the body with keys sorted, so key order and whitespace do not matter. */
export function hashRequest(body: unknown): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value)
          .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
          .sort()
          .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
      );
    }
    return value;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
}

export type Claim = { claimed: true } | { claimed: false; saleId: string };

/**
 * Claims (user, key) for the sale about to be made, inside its transaction. If another request holds the key and is
 * still running, PostgreSQL makes this insert wait for it: when it commits we replay its sale,
 * when it rolls back we proceed. A wait longer than the connection's lock_timeout
 * (DATABASE_LOCK_TIMEOUT_MS) answers 409.
 */
export async function claimIdempotencyKey(
  manager: EntityManager,
  claim: { userId: string; key: string; requestHash: string; saleId: string },
): Promise<Claim> {
  const { userId, key, requestHash, saleId } = claim;
  let inserted: unknown[];
  try {
    inserted = await manager.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash, sale_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, key) DO NOTHING RETURNING user_id`,
      [userId, key, requestHash, saleId],
    );
  } catch (error) {
    if ((error as { driverError?: { code?: string } }).driverError?.code === '55P03') {
      throw new DomainError(
        'IDEMPOTENCY_IN_PROGRESS',
        'A request with this Idempotency-Key is still being processed',
      );
    }
    throw error;
  }
  if (inserted.length > 0) return { claimed: true };
  const [existing]: { request_hash: string; sale_id: string }[] = await manager.query(
    `SELECT request_hash, sale_id FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
    [userId, key],
  );
  if (existing.request_hash !== requestHash) {
    throw new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was used with a different request body',
    );
  }
  return { claimed: false, saleId: existing.sale_id };
}
