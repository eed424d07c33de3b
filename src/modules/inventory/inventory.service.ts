import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { runStatement, SqlStatement } from '../../common/database/sql-statement';
import {
  DomainError,
  NotFoundError,
  ValidationFailedError,
} from '../../common/errors/domain-error';
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

/** A stock row as locked for a move: its quantity and its own reorder level, if set. */
export interface LockedStock {
  quantity: number;
  reorderLevel: number | null;
}

/** A checked move: what it will do, and the statements that do it (ledger rows, low-stock alerts). */
export interface StockMovePlan {
  results: StockMoveResult[];
  statements: SqlStatement<unknown>[];
}

/** A quantity in stock is a PostgreSQL integer. */
export const MAX_STOCK = 2_147_483_647;

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
    const reorderLevels =
      request.productReorderLevels ?? (await this.defaultReorderLevels(manager, lines));
    if (lines.some((line) => line.delta >= 0))
      await this.createMissingRows(manager, request, lines);
    const locked = await runStatement(
      manager,
      this.lockStatement(
        request.storeId,
        lines.map((line) => line.productId),
      ),
    );
    const plan = this.planMove({ ...request, productReorderLevels: reorderLevels }, locked);
    for (const statement of plan.statements) await runStatement(manager, statement);
    return plan.results;
  }

  /**
   * Locks the store's rows of these products in product-id order and reads them; a product
   * without a row is absent. For a caller that batches it into its own transaction (sales),
   * which then passes the rows to planMove.
   */
  lockStatement(storeId: string, productIds: string[]): SqlStatement<Map<string, LockedStock>> {
    return {
      text: `SELECT product_id, quantity, reorder_level FROM inventory
              WHERE store_id = $1 AND product_id = ANY($2::uuid[])
              ORDER BY product_id
                FOR UPDATE`,
      values: [storeId, productIds],
      read: (rows) =>
        new Map(
          rows.map((row) => [
            row.product_id as string,
            { quantity: row.quantity as number, reorderLevel: row.reorder_level as number | null },
          ]),
        ),
    };
  }

  /**
   * Checks a move against its locked rows (INSUFFICIENT_STOCK if any line would go below zero)
   * and plans it: one statement for every update and its ledger row, and an outbox message for
   * each low-stock crossing. Lines that add stock need their rows to exist (move creates them).
   */
  planMove(
    request: StockMoveRequest & { productReorderLevels: Map<string, number> },
    locked: Map<string, LockedStock>,
  ): StockMovePlan {
    const lines = normalizeLines(request.lines);
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
    const overfull = lines.filter(
      (line) => (locked.get(line.productId)?.quantity ?? 0) + line.delta > MAX_STOCK,
    );
    if (overfull.length > 0) {
      throw new ValidationFailedError(
        overfull.map((line) => ({
          field: 'quantity',
          problems: [`stock of product ${line.productId} would exceed ${MAX_STOCK} units`],
        })),
      );
    }
    const results: StockMoveResult[] = lines.map((line) => {
      const row = locked.get(line.productId) as LockedStock;
      const reorderLevel =
        row.reorderLevel ?? request.productReorderLevels.get(line.productId) ?? 0;
      const quantity = row.quantity + line.delta;
      return {
        productId: line.productId,
        movementId: randomUUID(),
        delta: line.delta,
        previousQuantity: row.quantity,
        quantity,
        reorderLevel,
        crossedReorderLevel: crossesReorderLevel(row.quantity, quantity, reorderLevel),
      };
    });
    const alerts = results
      .filter((result) => result.crossedReorderLevel)
      .map((result) =>
        this.outbox.addStatement({
          type: 'low_stock',
          payload: {
            storeId: request.storeId,
            productId: result.productId,
            quantity: result.quantity,
            reorderLevel: result.reorderLevel,
            movementId: result.movementId,
          },
        }),
      );
    return { results, statements: [this.applyStatement(request, results), ...alerts] };
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

  /**
   * Applies every delta to its locked row and appends the ledger rows, in one statement. A row's
   * time is when its lock was held (clock_timestamp), not when its transaction began (now()):
   * a transfer approved in a transaction that started before a sale, but locked the row after
   * it, would otherwise be listed before the sale, out of the order its quantities followed.
   */
  private applyStatement(
    request: StockMoveRequest,
    results: StockMoveResult[],
  ): SqlStatement<void> {
    return {
      text: `WITH line AS (
               SELECT * FROM unnest($2::uuid[], $3::int[], $4::uuid[]) WITH ORDINALITY
                        AS line(product_id, delta, movement_id, position)
             ), moved AS (
               UPDATE inventory SET quantity = inventory.quantity + line.delta, updated_at = now()
                 FROM line
                WHERE inventory.store_id = $1 AND inventory.product_id = line.product_id
               RETURNING inventory.product_id, inventory.quantity, line.delta, line.movement_id, line.position
             )
             INSERT INTO stock_movements (id, store_id, product_id, delta, quantity_after, reason,
                                          reference_type, reference_id, user_id, note, created_at)
             SELECT movement_id, $1, product_id, delta, quantity, $5, $6, $7, $8, $9, clock_timestamp()
               FROM moved ORDER BY position
             RETURNING id`,
      values: [
        request.storeId,
        results.map((result) => result.productId),
        results.map((result) => result.delta),
        results.map((result) => result.movementId),
        request.reason,
        request.referenceType ?? null,
        request.referenceId ?? null,
        request.userId ?? null,
        request.note ?? null,
      ],
      read: (rows) => {
        if (rows.length !== results.length) throw new Error('stock rows changed while locked');
      },
    };
  }
}
