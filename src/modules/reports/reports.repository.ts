import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { streamQuery } from '../../common/database/stream-query';
import {
  CASHIERS,
  RETURNS_GROUPS,
  SALES_GROUPS,
  TOP_PRODUCTS,
  VALUATION_ROWS,
  VALUATION_TOTALS,
} from './report-sql';

/** Where and when a report looks: explicit store ids (so the (store_id, time) indexes apply). */
export interface ReportWindow {
  storeIds: string[];
  from: Date;
  to: Date;
  /** Start of the previous period (it ends at `from`). */
  previousFrom: Date;
  timeZone: string;
  /** Both periods are whole local days, so closed days may come from report_daily_sales. */
  wholeDays: boolean;
  /** SALE_MAX_BACKDATE_HOURS: rolled-up days made under a shorter window are not used. */
  backdateHours: number;
}

/** One grouping set of sales: `total`, per `store` or per local `day`, current or previous. */
export interface SalesGroupRow {
  dimension: 'total' | 'store' | 'day';
  current: boolean;
  store_id: string | null;
  day: string | null;
  sales_count: number;
  items: number;
  gross: number;
  discounts: number;
  vat: number;
  total: number;
  change: number;
  cash_payments: number;
  cash_amount: number;
  mpesa_payments: number;
  mpesa_amount: number;
  card_payments: number;
  card_amount: number;
}

export interface ReturnsGroupRow {
  dimension: 'total' | 'store' | 'day' | 'method';
  current: boolean;
  store_id: string | null;
  day: string | null;
  method: string | null;
  returns_count: number;
  items: number;
  refunds: number;
  vat_refund: number;
}

export interface TopProductRow {
  product_id: string;
  sku: string;
  name: string;
  quantity_sold: number;
  quantity_returned: number;
  revenue: number;
  vat: number;
}

export interface CashierRow {
  cashier_id: string;
  username: string | null;
  full_name: string | null;
  sales_count: number;
  gross: number;
  total: number;
  vat: number;
  commission: number;
  refunds: number;
  vat_refund: number;
  commission_reversed: number;
}

export interface ValuationRow {
  product_id: string;
  sku: string;
  name: string;
  category: string | null;
  quantity: number;
  cost_price: number;
  unit_price: number;
  cost_value: number;
  retail_value: number;
}

export interface ValuationStoreRow {
  store_id: string | null;
  products: number;
  quantity: number;
  cost_value: number;
  retail_value: number;
}

/**
 * The report queries: aggregation happens in PostgreSQL (GROUP BY, parameterized), never by
 * loading sales. Every query runs on a replica runner (`'slave'`: a read replica when
 * DATABASE_REPLICA_URLS is set, the primary otherwise); a report made of several queries reads
 * them in one REPEATABLE READ snapshot, so its parts agree with each other.
 */
@Injectable()
export class ReportsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  salesSummary(window: ReportWindow) {
    const { storeIds, from, to, previousFrom, timeZone } = window;
    const periods = [storeIds, from, previousFrom, timeZone, to];
    return this.onReplica(async (runner) => ({
      sales: (await runner.query(SALES_GROUPS, [
        ...periods,
        window.wholeDays,
        window.backdateHours,
      ])) as SalesGroupRow[],
      returns: (await runner.query(RETURNS_GROUPS, periods)) as ReturnsGroupRow[],
    }));
  }

  topProducts(window: ReportWindow, sortBy: 'quantity' | 'revenue', limit: number) {
    return this.onReplica(
      (runner) =>
        runner.query(TOP_PRODUCTS, [
          window.storeIds,
          window.from,
          window.to,
          sortBy,
          limit,
        ]) as Promise<TopProductRow[]>,
    );
  }

  cashiers(window: ReportWindow) {
    return this.onReplica(
      (runner) =>
        runner.query(CASHIERS, [window.storeIds, window.from, window.to]) as Promise<CashierRow[]>,
    );
  }

  valuationPage(storeIds: string[], limit: number, offset: number) {
    return this.onReplica(async (runner) => ({
      totals: (await runner.query(VALUATION_TOTALS, [storeIds])) as ValuationStoreRow[],
      rows: (await runner.query(`${VALUATION_ROWS} LIMIT $2 OFFSET $3`, [
        storeIds,
        limit,
        offset,
      ])) as ValuationRow[],
    }));
  }

  /** Every valuation row through a cursor on the replica: memory stays at one batch. */
  streamValuation(storeIds: string[]): AsyncGenerator<ValuationRow> {
    return streamQuery<ValuationRow>(this.dataSource, VALUATION_ROWS, [storeIds], 1000, 'slave');
  }

  private async onReplica<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner('slave');
    try {
      await runner.startTransaction('REPEATABLE READ');
      const result = await work(runner);
      await runner.commitTransaction();
      return result;
    } finally {
      try {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
      } finally {
        await runner.release();
      }
    }
  }
}
