import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { sendCsv } from '../../common/csv/csv';
import {
  CashiersResponse,
  InventoryValuationResponse,
  TopProductsResponse,
} from './dto/report-lists.response';
import {
  InventoryValuationQueryDto,
  PeriodQueryDto,
  TopProductsQueryDto,
} from './dto/report-query.dto';
import { SalesSummaryResponse } from './dto/sales-summary.response';
import {
  CASHIER_COLUMNS,
  SUMMARY_DAY_COLUMNS,
  TOP_PRODUCT_COLUMNS,
  VALUATION_COLUMNS,
} from './report-csv';
import { ReportsService } from './reports.service';

const ROLES_NOTE =
  ' Roles: admin (all stores), manager (own stores; another store → 404). Cached for REPORT_CACHE_SECONDS (see computedAt).';

@ApiTags('reports')
@ApiBearerAuth()
@ApiProduces('application/json', 'text/csv')
@Roles('admin', 'manager')
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('sales-summary')
  @ApiOperation({
    summary:
      'Sales totals, by store, payment method and local day, with % change against the previous period of equal length. Sales count in the period they occurred, returns in the period they were made. ?format=csv: one row per local day.' +
      ROLES_NOTE,
  })
  @ApiOkResponse({ type: SalesSummaryResponse })
  async salesSummary(
    @CurrentUser() user: AuthUser,
    @Query() query: PeriodQueryDto,
    @Res() reply: FastifyReply,
  ) {
    const summary = await this.reports.salesSummary(user, query);
    if (query.format === 'csv')
      return sendCsv(reply, 'sales-summary.csv', SUMMARY_DAY_COLUMNS, summary.byDay);
    return reply.send(summary);
  }

  @Get('top-products')
  @ApiOperation({
    summary:
      'Best-selling products of the period by revenue or by units, net of returns made in the period. ?format=csv: one row per product.' +
      ROLES_NOTE,
  })
  @ApiOkResponse({ type: TopProductsResponse })
  async topProducts(
    @CurrentUser() user: AuthUser,
    @Query() query: TopProductsQueryDto,
    @Res() reply: FastifyReply,
  ) {
    const report = await this.reports.topProducts(user, query);
    if (query.format === 'csv')
      return sendCsv(reply, 'top-products.csv', TOP_PRODUCT_COLUMNS, report.data);
    return reply.send(report);
  }

  @Get('cashiers')
  @ApiOperation({
    summary:
      'Per cashier: sales count, net sales and commission, net of returns made in the period. ?format=csv: one row per cashier.' +
      ROLES_NOTE,
  })
  @ApiOkResponse({ type: CashiersResponse })
  async cashiers(
    @CurrentUser() user: AuthUser,
    @Query() query: PeriodQueryDto,
    @Res() reply: FastifyReply,
  ) {
    const report = await this.reports.cashiers(user, query);
    if (query.format === 'csv') return sendCsv(reply, 'cashiers.csv', CASHIER_COLUMNS, report.data);
    return reply.send(report);
  }

  @Get('inventory-valuation')
  @ApiOperation({
    summary:
      'Stock on hand now at cost and at retail price, per product (paged) with totals and per store. ?format=csv streams every product.' +
      ROLES_NOTE,
  })
  @ApiOkResponse({ type: InventoryValuationResponse })
  async inventoryValuation(
    @CurrentUser() user: AuthUser,
    @Query() query: InventoryValuationQueryDto,
    @Res() reply: FastifyReply,
  ) {
    if (query.format === 'csv') {
      const rows = await this.reports.exportInventoryValuation(user, query);
      return sendCsv(reply, 'inventory-valuation.csv', VALUATION_COLUMNS, rows);
    }
    return reply.send(await this.reports.inventoryValuation(user, query));
  }
}
