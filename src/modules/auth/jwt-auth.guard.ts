import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest } from '../../common/auth/decorators';
import { DomainError } from '../../common/errors/domain-error';
import { IS_PUBLIC } from '../../common/http/public.decorator';
import { AccessTokenVerifier } from './access-token-verifier';
import { SessionsService } from './sessions.service';

/**
 * Every route needs a valid access token unless marked @Public(). The token's session is
 * checked against the database on each request, so logout, deactivation and refresh-token
 * reuse take effect at once on every API instance.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenVerifier,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const claims = await this.verify(request.headers.authorization);
    const user = await this.sessions.principal(claims.sid, claims.sub);
    if (!user) throw new DomainError('UNAUTHENTICATED', 'Session ended: sign in again');
    request.user = user;
    return true;
  }

  private verify(header: string | undefined): Promise<{ sub: string; sid: string }> {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header ?? '');
    if (!match) throw new DomainError('UNAUTHENTICATED', 'Missing bearer token');
    return this.tokens.verify(match[1]);
  }
}
