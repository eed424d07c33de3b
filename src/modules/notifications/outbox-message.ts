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

export type OutboxMessage = { type: 'low_stock'; payload: LowStockPayload };

export type OutboxType = OutboxMessage['type'];
