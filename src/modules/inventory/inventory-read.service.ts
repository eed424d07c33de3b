import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { containsPattern } from '../../common/database/like-pattern';
import { streamQuery } from '../../common/database/stream-query';
import { offsetOf, Page, pageOf } from '../../common/pagination/pagination';
import { StoresService } from '../stores/stores.service';
import type {
  InventoryQueryDto,
  InventoryRowResponse,
  StockMovementQueryDto,
  StockMovementResponse,
} from './dto/inventory.dto';

interface InventoryRow {
  product_id: string;
  sku: string;
  name: string;
  quantity: number;
  reorder_level: number;
}

interface MovementRow {
  id: string;
  product_id: string;
  delta: number;
  quantity_after: number;
  reason: string;
  reference_type: string | null;
  reference_id: string | null;
  user_id: string | null;
  note: string | null;
  created_at: Date;
}

type Filter = { where: string; parameters: unknown[] };

const toInventoryRow = (row: InventoryRow): InventoryRowResponse => ({
  productId: row.product_id,
  sku: row.sku,
  name: row.name,
  quantity: row.quantity,
  reorderLevel: row.reorder_level,
  lowStock: row.quantity <= row.reorder_level,
});

const toMovement = (row: MovementRow): StockMovementResponse => ({
  id: row.id,
  productId: row.product_id,
  delta: row.delta,
  quantityAfter: row.quantity_after,
  reason: row.reason,
  referenceType: row.reference_type,
  referenceId: row.reference_id,
  userId: row.user_id,
  note: row.note,
  createdAt: row.created_at.toISOString(),
});

async function* mapRows<R, T>(rows: AsyncIterable<R>, map: (row: R) => T): AsyncGenerator<T> {
  for await (const row of rows) yield map(row);
}

/**
 * Read models of a store's stock. Every active product has a quantity at every store (0 until
 * stock arrives), so the listing starts from products and joins this store's inventory rows.
 */
@Injectable()
export class InventoryReadService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly stores: StoresService,
  ) {}

  async list(
    user: AuthUser,
    storeId: string,
    query: InventoryQueryDto,
  ): Promise<Page<InventoryRowResponse>> {
    await this.stores.requireVisible(user, storeId);
    const filter = this.inventoryFilter(storeId, query);
    const [{ total }] = await this.dataSource.query(
      `SELECT count(*)::int AS total ${this.inventoryFrom} WHERE ${filter.where}`,
      filter.parameters,
    );
    const rows: InventoryRow[] = await this.dataSource.query(
      `${this.inventorySelect} WHERE ${filter.where} ORDER BY p.name, p.id LIMIT ${query.pageSize} OFFSET ${offsetOf(query)}`,
      filter.parameters,
    );
    return pageOf(rows.map(toInventoryRow), query, total);
  }

  /** Checks access before the response starts, then streams every matching row. */
  async exportInventory(
    user: AuthUser,
    storeId: string,
    query: InventoryQueryDto,
  ): Promise<AsyncIterable<InventoryRowResponse>> {
    await this.stores.requireVisible(user, storeId);
    const filter = this.inventoryFilter(storeId, query);
    const sql = `${this.inventorySelect} WHERE ${filter.where} ORDER BY p.name, p.id`;
    return mapRows(
      streamQuery<InventoryRow>(this.dataSource, sql, filter.parameters),
      toInventoryRow,
    );
  }

  async movements(
    user: AuthUser,
    storeId: string,
    query: StockMovementQueryDto,
  ): Promise<Page<StockMovementResponse>> {
    await this.stores.requireVisible(user, storeId);
    const filter = this.movementFilter(storeId, query);
    const [{ total }] = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM stock_movements m WHERE ${filter.where}`,
      filter.parameters,
    );
    const rows: MovementRow[] = await this.dataSource.query(
      `SELECT m.* FROM stock_movements m WHERE ${filter.where}
        ORDER BY m.created_at DESC, m.id DESC LIMIT ${query.pageSize} OFFSET ${offsetOf(query)}`,
      filter.parameters,
    );
    return pageOf(rows.map(toMovement), query, total);
  }

  async exportMovements(
    user: AuthUser,
    storeId: string,
    query: StockMovementQueryDto,
  ): Promise<AsyncIterable<StockMovementResponse>> {
    await this.stores.requireVisible(user, storeId);
    const filter = this.movementFilter(storeId, query);
    const sql = `SELECT m.* FROM stock_movements m WHERE ${filter.where} ORDER BY m.created_at DESC, m.id DESC`;
    return mapRows(streamQuery<MovementRow>(this.dataSource, sql, filter.parameters), toMovement);
  }

  private readonly inventoryFrom = `FROM products p LEFT JOIN inventory i ON i.product_id = p.id AND i.store_id = $1`;
  private readonly inventorySelect = `SELECT p.id AS product_id, p.sku, p.name,
      COALESCE(i.quantity, 0) AS quantity, COALESCE(i.reorder_level, p.reorder_level) AS reorder_level
      ${this.inventoryFrom}`;

  private inventoryFilter(storeId: string, query: InventoryQueryDto): Filter {
    // A product taken off sale still counts while the store holds some (the valuation counts it).
    const conditions = ['(p.active OR COALESCE(i.quantity, 0) <> 0)'];
    const parameters: unknown[] = [storeId];
    if (query.search) {
      parameters.push(containsPattern(query.search.toLowerCase()));
      const at = `$${parameters.length}`;
      // lower(...) LIKE: the form the catalogue's trigram indexes serve.
      conditions.push(
        `(lower(p.name) LIKE ${at} OR lower(p.sku) LIKE ${at} OR lower(p.barcode) LIKE ${at})`,
      );
    }
    if (query.lowStock !== undefined) {
      conditions.push(
        `${query.lowStock ? '' : 'NOT '}(COALESCE(i.quantity, 0) <= COALESCE(i.reorder_level, p.reorder_level))`,
      );
    }
    return { where: conditions.join(' AND '), parameters };
  }

  private movementFilter(storeId: string, query: StockMovementQueryDto): Filter {
    const conditions = ['m.store_id = $1'];
    const parameters: unknown[] = [storeId];
    const add = (condition: string, value: unknown) => {
      parameters.push(value);
      conditions.push(condition.replace('?', `$${parameters.length}`));
    };
    if (query.productId) add('m.product_id = ?', query.productId);
    if (query.from) add('m.created_at >= ?', new Date(query.from));
    if (query.to) add('m.created_at < ?', new Date(query.to));
    return { where: conditions.join(' AND '), parameters };
  }
}
