import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainError, NotFoundError } from '../../common/errors/domain-error';
import { ProductsService } from '../catalog/products.service';
import { OutboxService } from '../notifications/outbox.service';
import {
  crossesReorderLevel,
  normalizeLines,
  ShortLine,
  StockMoveLine,
  StockMoveRequest,
  StockMoveResult,
} from './stock-move';

interface LockedRow {
  product_id: string;
  quantity: number;
  reorder_level: number | null;
}

@Injectable()
export class InventoryService {
  constructor(
    private readonly products: ProductsService,
    private readonly outbox: OutboxService,
  ) {}

  async move(manager: EntityManager, request: StockMoveRequest): Promise<StockMoveResult[]> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('InventoryService.move needs the manager of an open transaction');
    }
    const lines = normalizeLines(request.lines);
    const defaultLevels =
      request.productReorderLevels ?? (await this.defaultReorderLevels(manager, lines));
    if (lines.some((line) => line.delta >= 0))
      await this.createMissingRows(manager, request, lines);
    const locked = await this.lock(manager, request.storeId, lines);
    const short: ShortLine[] = lines
      .filter((line) => (locked.get(line.productId)?.quantity ?? 0) + line.delta < 0)
      .map((line) => ({
        productId: line.productId,
        requested: -line.delta,
        available: locked.get(line.productId)?.quantity ?? 0,
      }));
    if (short.length > 0) {
      throw new DomainError(
        'INSUFFICIENT_STOCK',
        'Not enough stock for some lines; nothing was moved',
        short,
      );
    }
    const applied = lines.map((line) => {
      const row = locked.get(line.productId) as LockedRow;
      return {
        productId: line.productId,
        delta: line.delta,
        previousQuantity: row.quantity,
        quantity: row.quantity + line.delta,
        reorderLevel: row.reorder_level ?? defaultLevels.get(line.productId) ?? 0,
      };
    });
    const movementIds = await this.applyAndRecord(manager, request, applied);
    const results = applied.map((line, index) => ({
      ...line,
      movementId: movementIds[index],
      crossedReorderLevel: crossesReorderLevel(
        line.previousQuantity,
        line.quantity,
        line.reorderLevel,
      ),
    }));
    for (const result of results.filter((candidate) => candidate.crossedReorderLevel)) {
      await this.outbox.add(manager, {
        type: 'low_stock',
        payload: {
          storeId: request.storeId,
          productId: result.productId,
          quantity: result.quantity,
          reorderLevel: result.reorderLevel,
          movementId: result.movementId,
        },
      });
    }
    return results;
  }

  private async defaultReorderLevels(
    manager: EntityManager,
    lines: StockMoveLine[],
  ): Promise<Map<string, number>> {
    const products = await this.products.findByIds(
      manager,
      lines.map((line) => line.productId),
    );
    const levels = new Map(products.map((product) => [product.id, product.reorderLevel]));
    const missing = lines.find((line) => !levels.has(line.productId));
    if (missing) throw new NotFoundError(`Product ${missing.productId}`);
    return levels;
  }

  /** Empty rows for lines that add stock (or count it) where the store has none yet. */
  private async createMissingRows(
    manager: EntityManager,
    request: StockMoveRequest,
    lines: StockMoveLine[],
  ): Promise<void> {
    await manager.query(
      `INSERT INTO inventory (store_id, product_id, quantity)
       SELECT $1, product_id, 0 FROM unnest($2::uuid[]) AS line(product_id) ORDER BY product_id
       ON CONFLICT (store_id, product_id) DO NOTHING`,
      [request.storeId, lines.filter((line) => line.delta >= 0).map((line) => line.productId)],
    );
  }

  /** Locks the rows in product-id order and reads them; a product without a row is absent. */
  private async lock(
    manager: EntityManager,
    storeId: string,
    lines: StockMoveLine[],
  ): Promise<Map<string, LockedRow>> {
    const rows: LockedRow[] = await manager.query(
      `SELECT product_id, quantity, reorder_level FROM inventory
        WHERE store_id = $1 AND product_id = ANY($2::uuid[])
        ORDER BY product_id
          FOR UPDATE`,
      [storeId, lines.map((line) => line.productId)],
    );
    return new Map(rows.map((row) => [row.product_id, row]));
  }

  /** Applies every delta to its locked row and appends the ledger rows, in one statement. */
  private async applyAndRecord(
    manager: EntityManager,
    request: StockMoveRequest,
    lines: { productId: string; delta: number }[],
  ): Promise<string[]> {
    const rows: { id: string; product_id: string }[] = await manager.query(
      `WITH line AS (
         SELECT * FROM unnest($2::uuid[], $3::int[]) WITH ORDINALITY AS line(product_id, delta, position)
       ), moved AS (
         UPDATE inventory SET quantity = inventory.quantity + line.delta, updated_at = now()
           FROM line
          WHERE inventory.store_id = $1 AND inventory.product_id = line.product_id
         RETURNING inventory.product_id, inventory.quantity, line.delta, line.position
       )
       INSERT INTO stock_movements (store_id, product_id, delta, quantity_after, reason, reference_type, reference_id, user_id, note)
       SELECT $1, product_id, delta, quantity, $4, $5, $6, $7, $8 FROM moved ORDER BY position
       RETURNING id, product_id`,
      [
        request.storeId,
        lines.map((line) => line.productId),
        lines.map((line) => line.delta),
        request.reason,
        request.referenceType ?? null,
        request.referenceId ?? null,
        request.userId ?? null,
        request.note ?? null,
      ],
    );
    if (rows.length !== lines.length) throw new Error('stock rows changed while locked');
    // Lines are one per product after normalizeLines, so the product id finds each row's id.
    const idByProduct = new Map(rows.map((row) => [row.product_id, row.id]));
    return lines.map((line) => idByProduct.get(line.productId) ?? '');
  }
}
