import { Body, Controller, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../../common/auth/auth-user';
import { ClientMeta, CurrentUser, RequestMeta, Roles } from '../../common/auth/decorators';
import { sendCsv } from '../../common/csv/csv';
import { ApiPageResponse } from '../../common/pagination/api-page-response';
import { UuidParam } from '../../common/validators/uuid-param.pipe';
import {
  AdjustmentResponse,
  AdjustStockDto,
  InventoryQueryDto,
  InventoryRowResponse,
  ReorderLevelResponse,
  StockMovementQueryDto,
  StockMovementResponse,
  UpdateReorderLevelDto,
} from './dto/inventory.dto';
import { InventoryReadService } from './inventory-read.service';
import { StockAdjustmentsService } from './stock-adjustments.service';

const INVENTORY_COLUMNS = (
  ['productId', 'sku', 'name', 'quantity', 'reorderLevel', 'lowStock'] as const
).map((key) => ({ header: key, value: (row: InventoryRowResponse) => row[key] }));
const MOVEMENT_COLUMNS = (
  [
    'id',
    'productId',
    'delta',
    'quantityAfter',
    'reason',
    'referenceType',
    'referenceId',
    'userId',
    'note',
    'createdAt',
  ] as const
).map((key) => ({ header: key, value: (row: StockMovementResponse) => row[key] }));

@ApiTags('inventory')
@ApiBearerAuth()
@Controller('stores/:storeId')
export class InventoryController {
  constructor(
    private readonly reads: InventoryReadService,
    private readonly adjustments: StockAdjustmentsService,
  ) {}

  @Get('inventory')
  @ApiOperation({
    summary:
      "A store's stock per product (?format=csv streams). Roles: admin, manager, cashier of the store",
  })
  @ApiPageResponse(InventoryRowResponse, 'inventory.csv')
  async inventory(
    @CurrentUser() user: AuthUser,
    @Param('storeId', UuidParam) storeId: string,
    @Query() query: InventoryQueryDto,
    @Res() reply: FastifyReply,
  ) {
    if (query.format === 'csv') {
      return sendCsv(
        reply,
        'inventory.csv',
        INVENTORY_COLUMNS,
        await this.reads.exportInventory(user, storeId, query),
      );
    }
    return reply.send(await this.reads.list(user, storeId, query));
  }

  @Patch('inventory/:productId')
  @Roles('admin', 'manager')
  @ApiOperation({
    summary: "Set this store's reorder level for a product. Roles: admin, manager of the store",
  })
  @ApiOkResponse({ type: ReorderLevelResponse })
  setReorderLevel(
    @CurrentUser() user: AuthUser,
    @Param('storeId', UuidParam) storeId: string,
    @Param('productId', UuidParam) productId: string,
    @Body() dto: UpdateReorderLevelDto,
    @ClientMeta() meta: RequestMeta,
  ) {
    return this.adjustments.setReorderLevel(user, storeId, productId, dto.reorderLevel, meta);
  }

  @Post('inventory/adjustments')
  @Roles('admin', 'manager')
  @ApiOperation({
    summary:
      'Adjust stock by a delta or to a counted quantity, with a reason. 409 INSUFFICIENT_STOCK below zero. Roles: admin, manager of the store',
  })
  @ApiCreatedResponse({ type: AdjustmentResponse })
  adjust(
    @CurrentUser() user: AuthUser,
    @Param('storeId', UuidParam) storeId: string,
    @Body() dto: AdjustStockDto,
    @ClientMeta() meta: RequestMeta,
  ) {
    return this.adjustments.adjust(user, storeId, dto, meta);
  }

  @Get('stock-movements')
  @ApiOperation({
    summary:
      "The store's immutable stock ledger (?format=csv streams). Roles: admin, manager, cashier of the store",
  })
  @ApiPageResponse(StockMovementResponse, 'stock-movements.csv')
  async movements(
    @CurrentUser() user: AuthUser,
    @Param('storeId', UuidParam) storeId: string,
    @Query() query: StockMovementQueryDto,
    @Res() reply: FastifyReply,
  ) {
    if (query.format === 'csv') {
      return sendCsv(
        reply,
        'stock-movements.csv',
        MOVEMENT_COLUMNS,
        await this.reads.exportMovements(user, storeId, query),
      );
    }
    return reply.send(await this.reads.movements(user, storeId, query));
  }
}
