import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthUser } from '../../common/auth/auth-user';
import { ClientMeta, CurrentUser, RequestMeta } from '../../common/auth/decorators';
import { EmptyBody } from '../../common/http/empty-body';
import { Public } from '../../common/http/public.decorator';
import { UserResponse } from '../users/dto/user.dto';
import { UsersService } from '../users/users.service';
import { AuthService } from './auth.service';
import {
  ChangePasswordDto,
  LoginDto,
  LoginResponse,
  RefreshDto,
  TokenPairResponse,
} from './dto/auth.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Post('login')
  @Public()
  @UseGuards(ThrottlerGuard)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Sign in. 5 failures for one username from one IP lock it out for 5 minutes (429 + Retry-After)',
  })
  @ApiOkResponse({ type: LoginResponse })
  login(@Body() dto: LoginDto, @ClientMeta() meta: RequestMeta) {
    return this.auth.login(dto, meta);
  }

  @Post('refresh')
  @Public()
  @UseGuards(ThrottlerGuard)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair; a reused token revokes the session',
  })
  @ApiOkResponse({ type: TokenPairResponse })
  refresh(@Body() dto: RefreshDto, @ClientMeta() meta: RequestMeta) {
    return this.auth.refresh(dto.refreshToken, meta);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'End the session: its access and refresh tokens stop working at once' })
  logout(@CurrentUser() user: AuthUser, @ClientMeta() meta: RequestMeta, @Body() _body: EmptyBody) {
    return this.auth.logout(user, meta);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserResponse })
  me(@CurrentUser() user: AuthUser) {
    return this.users.get(user.id);
  }

  @Post('password')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'Change your password (at least 10 characters); other sessions end. A wrong current password counts towards the sign-in lockout',
  })
  changePassword(
    @CurrentUser() user: AuthUser,
    @Body() dto: ChangePasswordDto,
    @ClientMeta() meta: RequestMeta,
  ) {
    return this.auth.changePassword(user, dto.currentPassword, dto.newPassword, meta);
  }
}
