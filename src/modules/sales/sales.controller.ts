import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../../common/auth/auth-user';
import { ClientMeta, CurrentUser, RequestMeta, Roles } from '../../common/auth/decorators';
import { sendCsv } from '../../common/csv/csv';
import { ApiPageResponse } from '../../common/pagination/api-page-response';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { UuidParam } from '../../common/validators/uuid-param.pipe';
import { CreateReturnDto } from './dto/create-return.dto';
import { CreateSaleDto } from './dto/create-sale.dto';
import { ListSalesQueryDto } from './dto/list-sales.dto';
import { SaleReturnResponse } from './dto/sale-return.response';
import { SaleResponse, SaleSummaryResponse } from './dto/sale.response';
import { SaleReader } from './sale-reader';
import { SaleReturnsService } from './sale-returns.service';
import { SalesService } from './sales.service';

const SALE_COLUMNS = (
  [
    'id',
    'receiptNumber',
    'storeId',
    'cashierId',
    'status',
    'subtotal',
    'discountTotal',
    'vatTotal',
    'total',
    'paid',
    'change',
    'commission',
    'occurredAt',
    'createdAt',
  ] as const
).map((key) => ({ header: key, value: (row: SaleSummaryResponse) => row[key] }));

function requireIdempotencyKey(key: string | undefined): string {
  if (!key || key.length > 255) {
    throw new ValidationFailedError([
      { field: 'Idempotency-Key', problems: ['header required, 1-255 characters'] },
    ]);
  }
  return key;
}

/** The header where it may be left out: absent is fine, empty or too long is not. */
function optionalIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > 255) {
    throw new ValidationFailedError([
      { field: 'Idempotency-Key', problems: ['header optional, 1-255 characters when sent'] },
    ]);
  }
  return key;
}

@ApiTags('sales')
@ApiBearerAuth()
@Controller('sales')
export class SalesController {
  constructor(
    private readonly sales: SalesService,
    private readonly reader: SaleReader,
    private readonly returns: SaleReturnsService,
  ) {}

  @Post()
  @Roles('admin', 'manager', 'cashier')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: '1–255 characters, unique per sale attempt',
  })
  @ApiOperation({
    summary:
      'Record a sale. Replaying the same key and body returns the original (Idempotent-Replayed: true). Roles: cashier or manager of the store, admin',
  })
  @ApiCreatedResponse({ type: SaleResponse })
  async create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateSaleDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @ClientMeta() meta: RequestMeta,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const outcome = await this.sales.create(user, dto, requireIdempotencyKey(idempotencyKey), meta);
    if (outcome.replayed) reply.header('Idempotent-Replayed', 'true');
    return outcome.sale;
  }

  @Get()
  @ApiOperation({
    summary:
      'Sales of the stores the caller may see (?format=csv streams). Roles: admin, manager, cashier',
  })
  @ApiPageResponse(SaleSummaryResponse, 'sales.csv')
  async list(
    @CurrentUser() user: AuthUser,
    @Query() query: ListSalesQueryDto,
    @Res() reply: FastifyReply,
  ) {
    if (query.format === 'csv')
      return sendCsv(reply, 'sales.csv', SALE_COLUMNS, await this.reader.export(user, query));
    return reply.send(await this.reader.list(user, query));
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'One sale with lines and payments (404 for another store). Roles: admin, manager, cashier',
  })
  @ApiOkResponse({ type: SaleResponse })
  get(@CurrentUser() user: AuthUser, @Param('id', UuidParam) id: string) {
    return this.reader.get(user, id);
  }

  @Post(':id/returns')
  @Roles('admin', 'manager')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      '1–255 characters, unique per return attempt: the same key and body again answers the return already made (Idempotent-Replayed: true) instead of refunding twice',
  })
  @ApiOperation({
    summary:
      'Return lines of a sale: refunds by cumulative share, reverses commission in proportion, optionally restocks (404 for another store, 422 RETURN_EXCEEDS_SALE). Roles: manager of the store, admin',
  })
  @ApiCreatedResponse({ type: SaleReturnResponse })
  async createReturn(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: CreateReturnDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @ClientMeta() meta: RequestMeta,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const key = optionalIdempotencyKey(idempotencyKey);
    const outcome = await this.returns.create(user, id, dto, meta, key);
    if (outcome.replayed) reply.header('Idempotent-Replayed', 'true');
    return outcome.saleReturn;
  }
}
