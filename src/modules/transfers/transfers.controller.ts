import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { ClientMeta, CurrentUser, RequestMeta, Roles } from '../../common/auth/decorators';
import { EmptyBody } from '../../common/http/empty-body';
import { UuidParam } from '../../common/validators/uuid-param.pipe';
import { CreateTransferDto, RejectTransferDto } from './dto/create-transfer.dto';
import { ListTransfersQueryDto } from './dto/list-transfers.dto';
import { TransferPageResponse, TransferResponse } from './dto/transfer.response';
import { TransferReader } from './transfer-reader';
import { TransfersService } from './transfers.service';

@ApiTags('transfers')
@ApiBearerAuth()
@Controller('transfers')
export class TransfersController {
  constructor(
    private readonly transfers: TransfersService,
    private readonly reader: TransferReader,
  ) {}

  @Post()
  @Roles('admin', 'manager', 'cashier')
  @ApiOperation({
    summary:
      'Request stock from another store (status pending). Roles: staff of the destination store (toStoreId), admin',
  })
  @ApiCreatedResponse({ type: TransferResponse })
  create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateTransferDto,
    @ClientMeta() meta: RequestMeta,
  ) {
    return this.transfers.create(user, dto, meta);
  }

  @Get()
  @ApiOperation({
    summary:
      'Transfers from or to the stores the caller may see, newest first. Roles: admin, manager, cashier',
  })
  @ApiOkResponse({ type: TransferPageResponse })
  list(@CurrentUser() user: AuthUser, @Query() query: ListTransfersQueryDto) {
    return this.reader.list(user, query);
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'One transfer (404 when neither store is the caller’s). Roles: admin, manager, cashier',
  })
  @ApiOkResponse({ type: TransferResponse })
  get(@CurrentUser() user: AuthUser, @Param('id', UuidParam) id: string) {
    return this.reader.get(user, id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('admin', 'manager')
  @ApiOperation({
    summary:
      'Approve: moves the stock out of the source and into the destination in one transaction (completed); 409 INSUFFICIENT_STOCK moves nothing. Roles: manager of the source store, admin',
  })
  @ApiOkResponse({ type: TransferResponse })
  approve(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @ClientMeta() meta: RequestMeta,
    @Body() _body: EmptyBody,
  ) {
    return this.transfers.approve(user, id, meta);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles('admin', 'manager')
  @ApiOperation({
    summary: 'Reject with a reason (rejected). Roles: manager of the source store, admin',
  })
  @ApiOkResponse({ type: TransferResponse })
  reject(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: RejectTransferDto,
    @ClientMeta() meta: RequestMeta,
  ) {
    return this.transfers.reject(user, id, dto.reason, meta);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('admin', 'manager', 'cashier')
  @ApiOperation({
    summary: 'Cancel a pending request (cancelled). Roles: the requester, admin',
  })
  @ApiOkResponse({ type: TransferResponse })
  cancel(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @ClientMeta() meta: RequestMeta,
    @Body() _body: EmptyBody,
  ) {
    return this.transfers.cancel(user, id, meta);
  }
}
