import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../../config/env.schema';
import type { AuthUser } from '../../common/auth/auth-user';
import { offsetOf } from '../../common/pagination/pagination';
import type {
  InventoryValuationQueryDto,
  PeriodQueryDto,
  TopProductsQueryDto,
} from './dto/report-query.dto';
import type {
  CashiersResponse,
  InventoryValuationResponse,
  TopProductsResponse,
  ValuationRowResponse,
} from './dto/report-lists.response';
import type { PeriodReportResponse, SalesSummaryResponse } from './dto/sales-summary.response';
import { isWholeDays, localDatesOf, resolvePeriod, ResolvedPeriod } from './periods';
import { ReportCache } from './report-cache';
import { ReportClock, ReportScope, ReportScopes } from './report-scope';
import { ReportsRepository, ReportWindow, ValuationRow } from './reports.repository';
import { buildSummary } from './sales-summary';

const toValuationRow = (row: ValuationRow): ValuationRowResponse => ({
  productId: row.product_id,
  sku: row.sku,
  name: row.name,
  category: row.category,
  quantity: row.quantity,
  costPrice: row.cost_price,
  unitPrice: row.unit_price,
  costValue: row.cost_value,
  retailValue: row.retail_value,
});

async function* mapRows<R, T>(rows: AsyncIterable<R>, map: (row: R) => T): AsyncGenerator<T> {
  for await (const row of rows) yield map(row);
}

/**
 * Reports for managers (their stores) and admins (all): scope and period first (404 and 400
 * before any work), then the cache, then SQL aggregation on the replica.
 */
@Injectable()
export class ReportsService {
  private readonly backdateHours: number;

  constructor(
    private readonly scopes: ReportScopes,
    private readonly repository: ReportsRepository,
    private readonly cache: ReportCache,
    private readonly clock: ReportClock,
    config: ConfigService<Env, true>,
  ) {
    this.backdateHours = config.get('SALE_MAX_BACKDATE_HOURS', { infer: true });
  }

  async salesSummary(user: AuthUser, query: PeriodQueryDto): Promise<SalesSummaryResponse> {
    const { scope, period, window } = await this.prepare(user, query);
    return this.cache.remember(this.keyParts('sales-summary', scope, period), async () => {
      const parts = buildSummary(
        await this.repository.salesSummary(window),
        localDatesOf(period, scope.timeZone),
      );
      return {
        ...this.header(scope, period),
        previousPeriod: {
          from: period.previous.from.toISOString(),
          to: period.previous.to.toISOString(),
        },
        totals: parts.totals,
        previousTotals: parts.previousTotals,
        changePct: parts.changePct,
        byStore: scope.stores.map((store) => ({
          storeId: store.id,
          code: store.code,
          name: store.name,
          ...parts.ofStore(store.id),
        })),
        byPaymentMethod: parts.byPaymentMethod,
        byDay: parts.byDay,
        computedAt: new Date().toISOString(),
      };
    });
  }

  async topProducts(user: AuthUser, query: TopProductsQueryDto): Promise<TopProductsResponse> {
    const { scope, period, window } = await this.prepare(user, query);
    const key = [...this.keyParts('top-products', scope, period), query.sortBy, query.limit];
    return this.cache.remember(key, async () => {
      const rows = await this.repository.topProducts(window, query.sortBy, query.limit);
      return {
        ...this.header(scope, period),
        sortBy: query.sortBy,
        data: rows.map((row, index) => ({
          rank: index + 1,
          productId: row.product_id,
          sku: row.sku,
          name: row.name,
          quantitySold: row.quantity_sold,
          quantityReturned: row.quantity_returned,
          quantity: row.quantity_sold - row.quantity_returned,
          revenue: row.revenue,
          netRevenue: row.revenue - row.vat,
        })),
        computedAt: new Date().toISOString(),
      };
    });
  }

  async cashiers(user: AuthUser, query: PeriodQueryDto): Promise<CashiersResponse> {
    const { scope, period, window } = await this.prepare(user, query);
    return this.cache.remember(this.keyParts('cashiers', scope, period), async () => {
      const rows = await this.repository.cashiers(window);
      return {
        ...this.header(scope, period),
        data: rows.map((row) => ({
          cashierId: row.cashier_id,
          username: row.username,
          fullName: row.full_name,
          salesCount: row.sales_count,
          grossSales: row.gross,
          returns: row.refunds,
          netSales: row.total - row.vat - (row.refunds - row.vat_refund),
          commission: row.commission - row.commission_reversed,
        })),
        computedAt: new Date().toISOString(),
      };
    });
  }

  async inventoryValuation(
    user: AuthUser,
    query: InventoryValuationQueryDto,
  ): Promise<InventoryValuationResponse> {
    const scope = await this.scopes.resolve(user, query.storeId);
    const key = [
      'inventory-valuation',
      scope.visibility,
      scope.storeId,
      query.page,
      query.pageSize,
    ];
    return this.cache.remember(key, async () => {
      const { totals, rows } = await this.repository.valuationPage(
        scope.storeIds,
        query.pageSize,
        offsetOf(query),
      );
      const figures = (storeId: string | null) => {
        const row = totals.find((total) => total.store_id === storeId);
        return {
          products: row?.products ?? 0,
          quantity: row?.quantity ?? 0,
          costValue: row?.cost_value ?? 0,
          retailValue: row?.retail_value ?? 0,
        };
      };
      const all = figures(null);
      return {
        storeId: scope.storeId,
        totals: all,
        byStore: scope.stores.map((store) => ({
          storeId: store.id,
          code: store.code,
          name: store.name,
          ...figures(store.id),
        })),
        data: rows.map(toValuationRow),
        page: query.page,
        pageSize: query.pageSize,
        total: all.products,
        computedAt: new Date().toISOString(),
      };
    });
  }

  /** Every product with stock, streamed from a cursor (checked for access before it starts). */
  async exportInventoryValuation(
    user: AuthUser,
    query: InventoryValuationQueryDto,
  ): Promise<AsyncIterable<ValuationRowResponse>> {
    const scope = await this.scopes.resolve(user, query.storeId);
    return mapRows(this.repository.streamValuation(scope.storeIds), toValuationRow);
  }

  private async prepare(user: AuthUser, query: PeriodQueryDto) {
    const scope = await this.scopes.resolve(user, query.storeId);
    const period = resolvePeriod(query, scope.timeZone, this.clock.now());
    const window: ReportWindow = {
      storeIds: scope.storeIds,
      from: period.from,
      to: period.to,
      previousFrom: period.previous.from,
      timeZone: scope.timeZone,
      wholeDays:
        isWholeDays(period, scope.timeZone) && isWholeDays(period.previous, scope.timeZone),
      backdateHours: this.backdateHours,
    };
    return { scope, period, window };
  }

  /** What a period report's answer depends on besides its own options. */
  private keyParts(report: string, scope: ReportScope, period: ResolvedPeriod): unknown[] {
    return [
      report,
      scope.visibility,
      scope.storeId,
      scope.timeZone,
      period.from.toISOString(),
      period.to.toISOString(),
      period.previous.from.toISOString(),
    ];
  }

  private header(
    scope: ReportScope,
    period: ResolvedPeriod,
  ): Omit<PeriodReportResponse, 'computedAt'> {
    return {
      storeId: scope.storeId,
      timeZone: scope.timeZone,
      period: { from: period.from.toISOString(), to: period.to.toISOString() },
    };
  }
}
