import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { AuthenticatedRequest } from '../../common/auth/decorators';
import { DomainError } from '../../common/errors/domain-error';
import { IS_PUBLIC } from '../../common/http/public.decorator';
import { SessionsService } from './sessions.service';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
}

/**
 * Every route needs a valid access token unless marked @Public(). The token's session is
 * checked against the database on each request, so logout, deactivation and refresh-token
 * reuse take effect at once on every API instance.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
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

  private async verify(header: string | undefined): Promise<AccessTokenClaims> {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header ?? '');
    if (!match) throw new DomainError('UNAUTHENTICATED', 'Missing bearer token');
    try {
      // Only HS256: tokens with `alg: none` or another algorithm are refused.
      const claims = await this.jwt.verifyAsync<AccessTokenClaims>(match[1], {
        algorithms: ['HS256'],
      });
      if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string')
        throw new Error('claims');
      return claims;
    } catch {
      throw new DomainError('UNAUTHENTICATED', 'Invalid or expired token');
    }
  }
}
