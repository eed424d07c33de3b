import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import type { RequestMeta } from '../../common/auth/decorators';
import { inTransaction } from '../../common/database/transaction';
import { NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { ProductsService } from '../catalog/products.service';
import { StoresService } from '../stores/stores.service';
import type { AdjustmentResponse, AdjustStockDto } from './dto/inventory.dto';
import { InventoryService } from './inventory.service';

/** Manual stock changes at a store: deltas with a reason, shelf counts, reorder levels. */
@Injectable()
export class StockAdjustmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly inventory: InventoryService,
    private readonly stores: StoresService,
    private readonly products: ProductsService,
    private readonly audit: AuditService,
  ) {}

  async adjust(
    user: AuthUser,
    storeId: string,
    dto: AdjustStockDto,
    meta: RequestMeta,
  ): Promise<AdjustmentResponse> {
    // null counts as left out, as @IsOptional lets it through unvalidated.
    const givesDelta = dto.delta !== undefined && dto.delta !== null;
    const givesCount = dto.countedQuantity !== undefined && dto.countedQuantity !== null;
    if (givesDelta === givesCount) {
      throw new ValidationFailedError([
        { field: 'delta', problems: ['give exactly one of delta or countedQuantity'] },
      ]);
    }
    await this.stores.requireVisible(user, storeId);
    return inTransaction(this.dataSource, async (manager) => {
      const delta =
        dto.delta ??
        (dto.countedQuantity as number) -
          (await this.lockedQuantity(manager, storeId, dto.productId));
      const [result] = await this.inventory.move(manager, {
        storeId,
        reason: dto.reason,
        lines: [{ productId: dto.productId, delta }],
        referenceType: 'adjustment',
        userId: user.id,
        note: dto.note ?? null,
      });
      await this.audit.record(manager, {
        action: 'inventory.adjusted',
        userId: user.id,
        username: user.username,
        entityType: 'stock_movement',
        entityId: result.movementId,
        storeId,
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: {
          productId: dto.productId,
          reason: dto.reason,
          delta,
          countedQuantity: dto.countedQuantity ?? null,
          previousQuantity: result.previousQuantity,
          quantity: result.quantity,
          note: dto.note ?? null,
        },
      });
      return {
        movementId: result.movementId,
        productId: dto.productId,
        previousQuantity: result.previousQuantity,
        quantity: result.quantity,
      };
    });
  }

  async setReorderLevel(
    user: AuthUser,
    storeId: string,
    productId: string,
    reorderLevel: number | null,
    meta: RequestMeta,
  ) {
    await this.stores.requireVisible(user, storeId);
    if (!(await this.products.findById(productId))) throw new NotFoundError('Product');
    return inTransaction(this.dataSource, async (manager) => {
      // The row exists from here (quantity 0 until stock arrives), so the lock below holds even
      // for a first level, and a concurrent change waits to read the level it replaces.
      await manager.query(
        `INSERT INTO inventory (store_id, product_id, quantity) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`,
        [storeId, productId],
      );
      const [before]: { reorder_level: number | null }[] = await manager.query(
        `SELECT reorder_level FROM inventory WHERE store_id = $1 AND product_id = $2 FOR UPDATE`,
        [storeId, productId],
      );
      // null clears the store's own level: the product's default (as of now) applies again.
      const [[row]]: [{ quantity: number; reorder_level: number }[], number] = await manager.query(
        `UPDATE inventory i SET reorder_level = $3, updated_at = now()
           FROM products p WHERE i.store_id = $1 AND i.product_id = $2 AND p.id = $2
         RETURNING i.quantity, COALESCE(i.reorder_level, p.reorder_level) AS reorder_level`,
        [storeId, productId, reorderLevel],
      );
      await this.audit.record(manager, {
        action: 'inventory.reorder_level_changed',
        userId: user.id,
        username: user.username,
        entityType: 'product',
        entityId: productId,
        storeId,
        ip: meta.ip,
        userAgent: meta.userAgent,
        // The store's own level before and after (null: the product's default), and the level
        // that applies now.
        details: { from: before?.reorder_level ?? null, reorderLevel, applies: row.reorder_level },
      });
      return {
        productId,
        quantity: row.quantity,
        reorderLevel: row.reorder_level,
        lowStock: row.quantity <= row.reorder_level,
      };
    });
  }

  /** The current quantity, locked, so two concurrent counts of one product cannot both apply. */
  private async lockedQuantity(
    manager: EntityManager,
    storeId: string,
    productId: string,
  ): Promise<number> {
    const [product] = await this.products.findByIds(manager, [productId]);
    if (!product) throw new NotFoundError('Product');
    await manager.query(
      `INSERT INTO inventory (store_id, product_id, quantity) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`,
      [storeId, productId],
    );
    const [row]: { quantity: number }[] = await manager.query(
      `SELECT quantity FROM inventory WHERE store_id = $1 AND product_id = $2 FOR UPDATE`,
      [storeId, productId],
    );
    return row.quantity;
  }
}
