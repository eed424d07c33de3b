import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { ClientMeta, CurrentUser, RequestMeta, Roles } from '../../common/auth/decorators';
import { ApiPageResponse } from '../../common/pagination/api-page-response';
import { PageQueryDto } from '../../common/pagination/pagination';
import { UuidParam } from '../../common/validators/uuid-param.pipe';
import { CreateStoreDto, StoreResponse, UpdateStoreDto } from './dto/store.dto';
import { StoresService } from './stores.service';

@ApiTags('stores')
@ApiBearerAuth()
@Controller('stores')
export class StoresController {
  constructor(private readonly stores: StoresService) {}

  @Get()
  @ApiOperation({
    summary: 'Stores the caller may see (admin: all). Roles: admin, manager, cashier',
  })
  @ApiPageResponse(StoreResponse)
  list(@CurrentUser() user: AuthUser, @Query() query: PageQueryDto) {
    return this.stores.list(user, query);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a store. Roles: admin' })
  @ApiCreatedResponse({ type: StoreResponse })
  create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateStoreDto,
    @ClientMeta() meta: RequestMeta,
  ) {
    return this.stores.create(user, dto, meta);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'One store (404 if the caller may not see it). Roles: admin, manager, cashier',
  })
  @ApiOkResponse({ type: StoreResponse })
  get(@CurrentUser() user: AuthUser, @Param('id', UuidParam) id: string) {
    return this.stores.get(user, id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Update a store. Roles: admin' })
  @ApiOkResponse({ type: StoreResponse })
  update(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: UpdateStoreDto,
    @ClientMeta() meta: RequestMeta,
  ) {
    return this.stores.update(user, id, dto, meta);
  }
}
