import type { MovementReason } from './stock-movement.entity';

export interface StockMoveLine {
  productId: string;
  /** Positive adds stock, negative takes it; zero records a count that matched. */
  delta: number;
}

export interface StockMoveRequest {
  storeId: string;
  reason: MovementReason;
  lines: StockMoveLine[];
  referenceType?: string;
  referenceId?: string;
  userId?: string | null;
  note?: string | null;
  /** Default reorder levels of the products, when the caller has loaded them already (saves a query). */
  productReorderLevels?: Map<string, number>;
}

export interface StockMoveResult {
  productId: string;
  movementId: string;
  delta: number;
  previousQuantity: number;
  quantity: number;
  reorderLevel: number;
  /** This movement took the quantity from above the reorder level to at or below it. */
  crossedReorderLevel: boolean;
}

export interface ShortLine {
  productId: string;
  requested: number;
  available: number;
}

/**
 * Sums duplicate products and sorts by product id (lower-case, as PostgreSQL prints a uuid),
 * which is also the order rows are locked in.
 */
export function normalizeLines(lines: StockMoveLine[]): StockMoveLine[] {
  const byProduct = new Map<string, number>();
  for (const line of lines) {
    const productId = line.productId.toLowerCase();
    byProduct.set(productId, (byProduct.get(productId) ?? 0) + line.delta);
  }
  return [...byProduct.entries()]
    .map(([productId, delta]) => ({ productId, delta }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

/** A low-stock crossing: from above the level to at or below it. Staying below is not a crossing. */
export function crossesReorderLevel(previous: number, current: number, level: number): boolean {
  return previous > level && current <= level;
}
