/**
 * Messages written to the outbox inside a business transaction and delivered after commit.
 * Payloads hold ids and the facts of the event (quantities at the moment of the crossing);
 * names and recipients are read again when the message is delivered.
 */
export interface LowStockPayload {
  storeId: string;
  productId: string;
  /** Quantity right after the movement that crossed the level. */
  quantity: number;
  reorderLevel: number;
  movementId: string;
}

/** A transfer was requested, or decided (approved, rejected or cancelled): read again at delivery. */
export interface TransferPayload {
  transferId: string;
}

/** An unhandled error in production (alerts module): the facts, for ADMIN_EMAILS. */
export interface ErrorAlertPayload {
  /** Hash of the error's kind, message and first stack frame: one alert per 10 minutes each. */
  fingerprint: string;
  message: string;
  /** Occurrences since the previous alert of this fingerprint, this one included. */
  count: number;
  /** ISO time of the first of those occurrences. */
  firstSeen: string;
  /** The failing request (its id is on every log line), or null for a job. */
  requestId: string | null;
  /** Where: `GET /api/v1/sales/:id`, `job low_stock`, … */
  source: string;
  /** The first stack frame, or null. */
  frame: string | null;
  host: string;
}

export type OutboxMessage =
  | { type: 'low_stock'; payload: LowStockPayload }
  | { type: 'transfer_requested' | 'transfer_decided'; payload: TransferPayload }
  | { type: 'error_alert'; payload: ErrorAlertPayload };

export type OutboxType = OutboxMessage['type'];
