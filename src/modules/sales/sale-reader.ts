import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { AuthUser, visibleStoreIds } from '../../common/auth/auth-user';
import { streamQuery } from '../../common/database/stream-query';
import { NotFoundError } from '../../common/errors/domain-error';
import { offsetOf, Page, pageOf } from '../../common/pagination/pagination';
import type { ListSalesQueryDto } from './dto/list-sales.dto';
import { SaleResponse, SaleSummaryResponse, toSaleResponse } from './dto/sale.response';
import { SaleLine } from './sale-line.entity';
import { SalePayment } from './sale-payment.entity';
import { Sale } from './sale.entity';

interface SaleRow {
  id: string;
  receipt_number: string;
  store_id: string;
  cashier_id: string;
  status: string;
  subtotal: number;
  discount_total: number;
  vat_total: number;
  total: number;
  paid: number;
  change: number;
  commission: number;
  commission_reversed: number;
  occurred_at: Date;
  created_at: Date;
}

const toSummary = (row: SaleRow): SaleSummaryResponse => ({
  id: row.id,
  receiptNumber: row.receipt_number,
  storeId: row.store_id,
  cashierId: row.cashier_id,
  status: row.status,
  subtotal: Number(row.subtotal),
  discountTotal: Number(row.discount_total),
  vatTotal: Number(row.vat_total),
  total: Number(row.total),
  paid: Number(row.paid),
  change: Number(row.change),
  commission: Number(row.commission) - Number(row.commission_reversed),
  occurredAt: new Date(row.occurred_at).toISOString(),
  createdAt: new Date(row.created_at).toISOString(),
});

/** Sales as the caller may see them: only their stores' sales, others are "not found". */
@Injectable()
export class SaleReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async load(manager: EntityManager, saleId: string): Promise<SaleResponse> {
    const sale = await manager.findOneBy(Sale, { id: saleId });
    if (!sale) throw new NotFoundError('Sale');
    const [lines, payments] = await Promise.all([
      manager.find(SaleLine, { where: { saleId }, order: { lineNo: 'ASC' } }),
      manager.find(SalePayment, { where: { saleId }, order: { position: 'ASC', id: 'ASC' } }),
    ]);
    return toSaleResponse(sale, lines, payments);
  }

  async get(user: AuthUser, saleId: string): Promise<SaleResponse> {
    const visible = visibleStoreIds(user);
    const sale = await this.dataSource.manager.findOneBy(
      Sale,
      visible === 'all'
        ? { id: saleId }
        : {
            id: saleId,
            storeId: In(visible.length > 0 ? visible : ['00000000-0000-0000-0000-000000000000']),
          },
    );
    if (!sale) throw new NotFoundError('Sale');
    return this.load(this.dataSource.manager, saleId);
  }

  async list(user: AuthUser, query: ListSalesQueryDto): Promise<Page<SaleSummaryResponse>> {
    const builder = this.filtered(user, query);
    const total = await builder.getCount();
    const rows = await builder.offset(offsetOf(query)).limit(query.pageSize).getRawMany<SaleRow>();
    return pageOf(rows.map(toSummary), query, total);
  }

  /** Checks access first, then streams every matching sale through a cursor. */
  async export(
    user: AuthUser,
    query: ListSalesQueryDto,
  ): Promise<AsyncIterable<SaleSummaryResponse>> {
    const [sql, parameters] = this.filtered(user, query).getQueryAndParameters();
    const rows = streamQuery<SaleRow>(this.dataSource, sql, parameters);
    return (async function* () {
      for await (const row of rows) yield toSummary(row);
    })();
  }

  private filtered(user: AuthUser, query: ListSalesQueryDto): SelectQueryBuilder<Sale> {
    const visible = visibleStoreIds(user);
    if (query.storeId && visible !== 'all' && !visible.includes(query.storeId))
      throw new NotFoundError('Store');
    const builder = this.dataSource
      .createQueryBuilder()
      .select([
        's.id AS id',
        's.receipt_number AS receipt_number',
        's.store_id AS store_id',
        's.cashier_id AS cashier_id',
        's.status AS status',
        's.subtotal AS subtotal',
        's.discount_total AS discount_total',
        's.vat_total AS vat_total',
        's.total AS total',
        's.paid AS paid',
        's.change AS change',
        's.commission AS commission',
        's.commission_reversed AS commission_reversed',
        's.occurred_at AS occurred_at',
        's.created_at AS created_at',
      ])
      .from(Sale, 's');
    // One store as an equality, so the (store_id, occurred_at) index gives the order; `= ANY`
    // of one element does not (PostgreSQL 15).
    const onlyStore =
      query.storeId ?? (visible !== 'all' && visible.length === 1 ? visible[0] : undefined);
    if (onlyStore) builder.andWhere('s.store_id = :storeId', { storeId: onlyStore });
    else if (visible !== 'all') builder.andWhere('s.store_id = ANY(:visible)', { visible });
    if (query.cashierId)
      builder.andWhere('s.cashier_id = :cashierId', { cashierId: query.cashierId });
    if (query.status) builder.andWhere('s.status = :status', { status: query.status });
    if (query.from || query.to) {
      builder.andWhere(
        new Brackets((range) => {
          if (query.from) range.andWhere('s.occurred_at >= :from', { from: new Date(query.from) });
          if (query.to) range.andWhere('s.occurred_at < :to', { to: new Date(query.to) });
        }),
      );
    }
    return builder.orderBy('s.occurred_at', 'DESC').addOrderBy('s.id', 'DESC');
  }
}
