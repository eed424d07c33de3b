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

interface LevelRow {
  quantity: number;
  reorder_level: number | null;
}

/**
 * The only way stock changes. `move` joins the caller's transaction: every line is one guarded
 * statement (never below zero, no read-modify-write), rows are locked in product-id order so
 * concurrent multi-line moves cannot deadlock, one ledger row per line is appended, and a
 * low-stock crossing writes an outbox row that is delivered after commit.
 */
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
    const applied: Omit<StockMoveResult, 'movementId' | 'crossedReorderLevel'>[] = [];
    const short: ShortLine[] = [];
    for (const line of lines) {
      const row = await this.apply(manager, request.storeId, line);
      if (!row) {
        short.push({
          productId: line.productId,
          requested: -line.delta,
          available: await this.available(manager, request.storeId, line.productId),
        });
        continue;
      }
      applied.push({
        productId: line.productId,
        delta: line.delta,
        previousQuantity: row.quantity - line.delta,
        quantity: row.quantity,
        reorderLevel: row.reorder_level ?? defaultLevels.get(line.productId) ?? 0,
      });
    }
    if (short.length > 0) {
      throw new DomainError(
        'INSUFFICIENT_STOCK',
        'Not enough stock for some lines; nothing was moved',
        short,
      );
    }
    const movementIds = await this.appendLedger(manager, request, applied);
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

  /** One guarded statement per line; undefined when it would take stock below zero. */
  private async apply(
    manager: EntityManager,
    storeId: string,
    line: StockMoveLine,
  ): Promise<LevelRow | undefined> {
    if (line.delta > 0) {
      const rows: LevelRow[] = await manager.query(
        `INSERT INTO inventory (store_id, product_id, quantity) VALUES ($1, $2, $3)
         ON CONFLICT (store_id, product_id)
         DO UPDATE SET quantity = inventory.quantity + EXCLUDED.quantity, updated_at = now()
         RETURNING quantity, reorder_level`,
        [storeId, line.productId, line.delta],
      );
      return rows[0];
    }
    if (line.delta < 0) {
      const [rows]: [LevelRow[], number] = await manager.query(
        `UPDATE inventory SET quantity = quantity + $3, updated_at = now()
          WHERE store_id = $1 AND product_id = $2 AND quantity + $3 >= 0
          RETURNING quantity, reorder_level`,
        [storeId, line.productId, line.delta],
      );
      return rows[0];
    }
    const rows: LevelRow[] = await manager.query(
      `SELECT quantity, reorder_level FROM inventory WHERE store_id = $1 AND product_id = $2 FOR UPDATE`,
      [storeId, line.productId],
    );
    return rows[0] ?? { quantity: 0, reorder_level: null };
  }

  private async available(
    manager: EntityManager,
    storeId: string,
    productId: string,
  ): Promise<number> {
    const rows: { quantity: number }[] = await manager.query(
      `SELECT quantity FROM inventory WHERE store_id = $1 AND product_id = $2`,
      [storeId, productId],
    );
    return rows[0]?.quantity ?? 0;
  }

  private async appendLedger(
    manager: EntityManager,
    request: StockMoveRequest,
    lines: { productId: string; delta: number; quantity: number }[],
  ): Promise<string[]> {
    const rows: { id: string; product_id: string }[] = await manager.query(
      `INSERT INTO stock_movements (store_id, product_id, delta, quantity_after, reason, reference_type, reference_id, user_id, note)
       SELECT $1, line.product_id, line.delta, line.quantity_after, $5, $6, $7, $8, $9
         FROM unnest($2::uuid[], $3::int[], $4::int[]) WITH ORDINALITY AS line(product_id, delta, quantity_after, position)
        ORDER BY line.position
       RETURNING id, product_id`,
      [
        request.storeId,
        lines.map((line) => line.productId),
        lines.map((line) => line.delta),
        lines.map((line) => line.quantity),
        request.reason,
        request.referenceType ?? null,
        request.referenceId ?? null,
        request.userId ?? null,
        request.note ?? null,
      ],
    );
    // Lines are one per product after normalizeLines, so the product id finds each row's id.
    const idByProduct = new Map(rows.map((row) => [row.product_id, row.id]));
    return lines.map((line) => idByProduct.get(line.productId) ?? '');
  }
}
