import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import type { RequestMeta } from '../../common/auth/decorators';
import { containsPattern } from '../../common/database/like-pattern';
import { runStatement, SqlStatement } from '../../common/database/sql-statement';
import { streamEntities } from '../../common/database/stream-query';
import { inTransaction } from '../../common/database/transaction';
import { DomainError, NotFoundError } from '../../common/errors/domain-error';
import { isUniqueViolation } from '../../common/errors/unique-violation';
import { offsetOf, Page, pageOf } from '../../common/pagination/pagination';
import { AuditService } from '../audit/audit.service';
import type { ListProductsQueryDto, ProductFilter } from './dto/list-products-query.dto';
import type { CreateProductDto, UpdateProductDto } from './dto/product.dto';
import { ProductResponse, toProductResponse } from './dto/product.response';
import { Product, TaxClass } from './product.entity';

/** Unique indexes of `products` and the request field each one guards. */
const UNIQUE_FIELDS = [
  {
    constraint: 'uq_products_sku',
    field: 'sku',
    message: 'A product with this SKU already exists',
  },
  {
    constraint: 'uq_products_barcode',
    field: 'barcode',
    message: 'A product with this barcode already exists',
  },
] as const;

interface ProductRow {
  id: string;
  sku: string;
  barcode: string | null;
  name: string;
  category: string | null;
  unit_price: number;
  cost_price: number;
  tax_class: TaxClass;
  reorder_level: number;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

@Injectable()
export class ProductsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListProductsQueryDto): Promise<Page<ProductResponse>> {
    const [products, total] = await this.filtered(query)
      .skip(offsetOf(query))
      .take(query.pageSize)
      .getManyAndCount();
    return pageOf(products.map(toProductResponse), query, total);
  }

  /** Every matching product in list order, through a database cursor (for CSV exports). */
  async *stream(filter: ProductFilter): AsyncGenerator<ProductResponse> {
    for await (const product of streamEntities(this.filtered(filter))) {
      yield toProductResponse(product);
    }
  }

  async get(id: string): Promise<ProductResponse> {
    const product = await this.findById(id);
    if (!product) throw new NotFoundError('Product');
    return toProductResponse(product);
  }

  /** The product a till scans; NOT_FOUND when no product carries this barcode. */
  async findByBarcode(barcode: string): Promise<ProductResponse> {
    const product = await this.dataSource.manager.findOneBy(Product, { barcode });
    if (!product) throw new NotFoundError('Product');
    return toProductResponse(product);
  }

  /** A product by id, active or not, or null (for other modules). */
  findById(id: string): Promise<Product | null> {
    return this.dataSource.manager.findOneBy(Product, { id });
  }

  /**
   * The products with these ids, read inside the caller's transaction, in ascending id order
   * (the order in which stock rows are locked). Unknown ids are simply absent from the result.
   */
  async findByIds(manager: EntityManager, ids: string[]): Promise<Product[]> {
    if (ids.length === 0) return [];
    return runStatement(manager, this.findByIdsStatement(ids));
  }

  /** findByIds as a statement, for a caller that batches it (every sale); plain SQL, no ORM. */
  findByIdsStatement(ids: string[]): SqlStatement<Product[]> {
    return {
      text: `SELECT id, sku, barcode, name, category, unit_price, cost_price, tax_class, reorder_level,
                    active, created_at, updated_at
               FROM products WHERE id = ANY($1::uuid[]) ORDER BY id`,
      values: [[...new Set(ids)]],
      read: (rows) =>
        (rows as unknown as ProductRow[]).map((row) =>
          Object.assign(new Product(), {
            id: row.id,
            sku: row.sku,
            barcode: row.barcode,
            name: row.name,
            category: row.category,
            unitPrice: row.unit_price,
            costPrice: row.cost_price,
            taxClass: row.tax_class,
            reorderLevel: row.reorder_level,
            active: row.active,
            createdAt: row.created_at,
            updatedAt: row.updated_at,
          }),
        ),
    };
  }

  async create(
    actor: AuthUser,
    dto: CreateProductDto,
    meta: RequestMeta,
  ): Promise<ProductResponse> {
    return this.unique(() =>
      inTransaction(this.dataSource, async (manager) => {
        const product = await manager.save(
          manager.create(Product, {
            sku: dto.sku,
            barcode: dto.barcode ?? null,
            name: dto.name,
            category: dto.category ?? null,
            unitPrice: dto.unitPrice,
            costPrice: dto.costPrice ?? 0,
            taxClass: dto.taxClass ?? 'standard',
            reorderLevel: dto.reorderLevel ?? 0,
            active: true,
          }),
        );
        const created = toProductResponse(product);
        // Every starting value, so a later product.updated's `from` has a recorded origin.
        const { id: _id, active: _active, ...startingValues } = created;
        await this.audit.record(manager, {
          action: 'product.created',
          userId: actor.id,
          username: actor.username,
          entityType: 'product',
          entityId: product.id,
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: startingValues,
        });
        return created;
      }),
    );
  }

  async update(
    actor: AuthUser,
    id: string,
    dto: UpdateProductDto,
    meta: RequestMeta,
  ): Promise<ProductResponse> {
    return this.unique(() =>
      inTransaction(this.dataSource, async (manager) => {
        const product = await manager.findOne(Product, {
          where: { id },
          lock: { mode: 'pessimistic_write' },
        });
        if (!product) throw new NotFoundError('Product');
        const changed = (Object.keys(dto) as (keyof UpdateProductDto)[])
          .filter((key) => dto[key] !== undefined && dto[key] !== product[key])
          .sort();
        // Nothing to change (an empty body, or the values it has): no write, no audit entry.
        if (changed.length === 0) return toProductResponse(product);
        const from = Object.fromEntries(changed.map((key) => [key, product[key]]));
        const to = Object.fromEntries(changed.map((key) => [key, dto[key]]));
        Object.assign(product, to);
        const saved = await manager.save(product);
        await this.audit.record(manager, {
          action: 'product.updated',
          userId: actor.id,
          username: actor.username,
          entityType: 'product',
          entityId: id,
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: { sku: saved.sku, changed, from, to },
        });
        return toProductResponse(saved);
      }),
    );
  }

  /**
   * Filters and order shared by the page and the export. Substring search is written as
   * `lower(column) LIKE lower(pattern)` so the trigram indexes on lower(name), lower(sku) and
   * lower(barcode) serve it.
   */
  private filtered(filter: ProductFilter): SelectQueryBuilder<Product> {
    const query = this.dataSource.getRepository(Product).createQueryBuilder('product');
    if (filter.search) {
      query.andWhere(
        `(lower(product.name) LIKE lower(:search) OR lower(product.sku) LIKE lower(:search)
          OR lower(product.barcode) LIKE lower(:search))`,
        { search: containsPattern(filter.search) },
      );
    }
    if (filter.category) {
      query.andWhere('product.category = :category', { category: filter.category });
    }
    if (filter.barcode) query.andWhere('product.barcode = :barcode', { barcode: filter.barcode });
    if (filter.active !== undefined) {
      query.andWhere('product.active = :active', { active: filter.active });
    }
    return query.orderBy('product.name', 'ASC').addOrderBy('product.id', 'ASC');
  }

  /** Turns a unique violation on SKU or barcode into 409 CONFLICT naming the field. */
  private async unique<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const violated = UNIQUE_FIELDS.find(({ constraint }) => isUniqueViolation(error, constraint));
      if (violated) {
        throw new DomainError('CONFLICT', violated.message, [
          { field: violated.field, problems: ['already used by another product'] },
        ]);
      }
      throw error;
    }
  }
}
