import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiPageResponse } from '../../common/pagination/api-page-response';
import type { AuthUser } from '../../common/auth/auth-user';
import { ClientMeta, CurrentUser, RequestMeta, Roles } from '../../common/auth/decorators';
import { UuidParam } from '../../common/validators/uuid-param.pipe';
import { CreateUserDto, ListUsersQueryDto, UpdateUserDto, UserResponse } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Roles('admin')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'List users. Roles: admin' })
  @ApiPageResponse(UserResponse)
  list(@Query() query: ListUsersQueryDto) {
    return this.users.list(query);
  }

  @Post()
  @ApiOperation({ summary: 'Create a user. Roles: admin' })
  @ApiCreatedResponse({ type: UserResponse })
  create(
    @CurrentUser() actor: AuthUser,
    @Body() dto: CreateUserDto,
    @ClientMeta() meta: RequestMeta,
  ) {
    return this.users.create(actor, dto, meta);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user. Roles: admin' })
  @ApiOkResponse({ type: UserResponse })
  get(@Param('id', UuidParam) id: string) {
    return this.users.get(id);
  }

  @Patch(':id')
  @ApiOperation({
    summary:
      'Update a user; active:false revokes their sessions. The last active admin cannot be deactivated or demoted (409 INVALID_STATE). Roles: admin',
  })
  @ApiOkResponse({ type: UserResponse })
  update(
    @CurrentUser() actor: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: UpdateUserDto,
    @ClientMeta() meta: RequestMeta,
  ) {
    return this.users.update(actor, id, dto, meta);
  }
}
