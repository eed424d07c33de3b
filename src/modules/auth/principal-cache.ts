import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AuthUser } from '../../common/auth/auth-user';
import { ExpiringMap } from '../../common/cache/expiring-map';
import { InvalidationBus } from '../../common/redis/invalidation-bus';
import type { Env } from '../../config/env.schema';

const MAX_SESSIONS = 50_000;

/**
 * The principal behind each live session, kept PRINCIPAL_CACHE_SECONDS so that the auth guard
 * does not read the database on every request. Logout, revocation and any change to a user are
 * broadcast through the InvalidationBus after they commit and drop the entries at once in every
 * API process; while the bus cannot guarantee that (Redis subscription down), nothing is cached.
 */
@Injectable()
export class PrincipalCache {
  private readonly principals = new ExpiringMap<AuthUser>(MAX_SESSIONS);
  private readonly ttlMs: number;

  constructor(
    private readonly bus: InvalidationBus,
    config: ConfigService<Env, true>,
  ) {
    this.ttlMs = config.get('PRINCIPAL_CACHE_SECONDS', { infer: true }) * 1000;
    bus.listen({
      invalidate: (topic, key) => {
        if (topic === 'session') this.principals.delete(key);
        if (topic === 'user') this.principals.deleteWhere((user) => user.id === key);
      },
      reset: () => this.principals.clear(),
    });
  }

  get(sessionId: string, userId: string): AuthUser | undefined {
    if (this.ttlMs === 0 || !this.bus.reliable) return undefined;
    const user = this.principals.get(sessionId);
    return user?.id === userId ? user : undefined;
  }

  /**
   * Loads a principal with `read` and keeps it, unless an invalidation arrived during the read
   * (the row may predate a change that has just committed).
   */
  async load(
    sessionId: string,
    read: () => Promise<{ user: AuthUser; sessionExpiresAt: Date } | null>,
  ): Promise<AuthUser | null> {
    const stamp = this.bus.stamp;
    const found = await read();
    if (!found) return null;
    if (this.ttlMs > 0 && this.bus.unchangedSince(stamp)) {
      const expiresAt = Math.min(Date.now() + this.ttlMs, found.sessionExpiresAt.getTime());
      this.principals.set(sessionId, found.user, expiresAt);
    }
    return found.user;
  }

  forgetSession(sessionId: string): Promise<void> {
    return this.bus.publish('session', sessionId);
  }

  forgetUser(userId: string): Promise<void> {
    return this.bus.publish('user', userId);
  }
}
