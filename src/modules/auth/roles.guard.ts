import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '../../common/auth/auth-user';
import { AuthenticatedRequest, ROLES_KEY } from '../../common/auth/decorators';
import { DomainError } from '../../common/errors/domain-error';

/** Enforces @Roles(...) on a handler or controller (runs after JwtAuthGuard). */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles || roles.length === 0) return true;
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (user && roles.includes(user.role)) return true;
    throw new DomainError('FORBIDDEN', `This action needs the role ${roles.join(' or ')}`);
  }
}
