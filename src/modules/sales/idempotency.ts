import { createHash } from 'node:crypto';
import type { SqlStatement } from '../../common/database/sql-statement';
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

/** A request's claim on (user, key), and the id of what it makes: a sale or a return. */
export interface IdempotencyClaim {
  userId: string;
  key: string;
  requestHash: string;
  saleId?: string;
  returnId?: string;
}

type RecordColumn = 'sale_id' | 'return_id';

function isLockTimeout(error: unknown): boolean {
  const withCode = error as { driverError?: { code?: string }; code?: string };
  return (withCode.driverError?.code ?? withCode.code) === '55P03';
}

/**
 * Claims (user, key) for the sale or return about to be made, inside its transaction; true when
 * this request now owns the key. If another request holds the key and is still running,
 * PostgreSQL makes this insert wait for it: when it commits the claim fails (replay what it
 * made, see claimedSaleStatement), when it rolls back the claim succeeds. A wait longer than the
 * connection's lock_timeout (DATABASE_LOCK_TIMEOUT_MS) answers 409.
 */
export function claimStatement(claim: IdempotencyClaim): SqlStatement<boolean> {
  return {
    text: `INSERT INTO idempotency_keys (user_id, key, request_hash, sale_id, return_id)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (user_id, key) DO NOTHING RETURNING user_id`,
    values: [
      claim.userId,
      claim.key,
      claim.requestHash,
      claim.saleId ?? null,
      claim.returnId ?? null,
    ],
    read: (rows) => rows.length > 0,
    mapError: (error) =>
      isLockTimeout(error)
        ? new DomainError(
            'IDEMPOTENCY_IN_PROGRESS',
            'A request with this Idempotency-Key is still being processed',
          )
        : error,
  };
}

/**
 * What an earlier request recorded under this key, if any; the same key with a different body
 * (a sale's key sent with a return, too) is refused.
 */
function earlierStatement(
  claim: IdempotencyClaim,
  column: RecordColumn,
): SqlStatement<string | undefined> {
  return {
    text: `SELECT request_hash, sale_id, return_id FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
    values: [claim.userId, claim.key],
    read: ([existing]) => {
      if (!existing) return undefined;
      const recorded = existing[column] as string | null;
      if (existing.request_hash !== claim.requestHash || !recorded) {
        throw new DomainError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was used with a different request body',
        );
      }
      return recorded;
    },
  };
}

/**
 * What is already recorded under a key this request failed to claim, read by a statement after
 * the claim's (in READ COMMITTED its snapshot includes the request that won).
 */
function claimedStatement(claim: IdempotencyClaim, column: RecordColumn): SqlStatement<string> {
  const earlier = earlierStatement(claim, column);
  return {
    ...earlier,
    read: (rows) => {
      const recorded = earlier.read(rows);
      // Deleted by the cleanup since the claim saw it (the key had expired): the next try
      // claims it afresh.
      if (recorded === undefined) {
        throw new DomainError(
          'IDEMPOTENCY_IN_PROGRESS',
          'This Idempotency-Key has just expired; send the request again',
        );
      }
      return recorded;
    },
  };
}

/** The sale an earlier request recorded under this key, if any. */
export const earlierSaleStatement = (claim: IdempotencyClaim) => earlierStatement(claim, 'sale_id');

/** The sale recorded under a key this request failed to claim. */
export const claimedSaleStatement = (claim: IdempotencyClaim) => claimedStatement(claim, 'sale_id');

/** The return recorded under a key this request failed to claim. */
export const claimedReturnStatement = (claim: IdempotencyClaim) =>
  claimedStatement(claim, 'return_id');
