import { isIP } from 'node:net';
import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuthUser, Role } from './auth-user';

export const ROLES_KEY = 'roles';

/** Restricts a route to these roles (checked after authentication). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export type AuthenticatedRequest = FastifyRequest & { user?: AuthUser };

/** The caller on an authenticated route. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthUser => {
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (!user) throw new Error('CurrentUser used on a route without authentication');
    return user;
  },
);

/** Where a request came from, for the audit log. */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
  requestId: string;
}

/**
 * Fastify's request.ip, which honours X-Forwarded-For when TRUST_PROXY says so. The header's
 * entries are not checked to be addresses: one that is not (a forged or broken header, or an
 * IPv6 address with a zone id, which may be of any length) gives way to the connection's own
 * peer address.
 */
export function clientAddress(request: FastifyRequest): string {
  const { ip } = request;
  const plain = isIP(ip) !== 0 && !ip.includes('%');
  return plain ? ip : (request.socket.remoteAddress ?? 'unknown');
}

export const ClientMeta = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestMeta => {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const agent = request.headers['user-agent'];
    return {
      ip: clientAddress(request),
      userAgent: typeof agent === 'string' ? agent.slice(0, 500) : null,
      requestId: String(request.id),
    };
  },
);
