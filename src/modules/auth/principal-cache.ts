import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AuthUser } from '../../common/auth/auth-user';
import { LocalCache } from '../../common/cache/local-cache';
import { InvalidationBus } from '../../common/redis/invalidation-bus';
import type { Env } from '../../config/env.schema';

const MAX_SESSIONS = 50_000;

interface CachedPrincipal {
  user: AuthUser;
  sessionExpiresAt: Date;
}

/**
 * The principal behind each live session, kept LOCAL_CACHE_SECONDS so that the auth guard does
 * not read the database on every request. Logout, revocation and any change to a user are
 * broadcast through the InvalidationBus after they commit and drop the entries in every API
 * process; while the bus cannot guarantee that (Redis subscription down), nothing is cached.
 */
@Injectable()
export class PrincipalCache {
  private readonly principals: LocalCache<CachedPrincipal>;

  constructor(
    private readonly bus: InvalidationBus,
    config: ConfigService<Env, true>,
  ) {
    const ttlMs = config.get('LOCAL_CACHE_SECONDS', { infer: true }) * 1000;
    this.principals = new LocalCache(bus, ttlMs, MAX_SESSIONS, (topic, key, entries) => {
      if (topic === 'session') entries.delete(key);
      if (topic === 'user') entries.deleteWhere(({ user }) => user.id === key);
    });
  }

  get(sessionId: string, userId: string): AuthUser | undefined {
    const user = this.principals.get(sessionId)?.user;
    return user?.id === userId ? user : undefined;
  }

  /** Loads a principal with `read` and keeps it no longer than its session lives. */
  async load(
    sessionId: string,
    read: () => Promise<CachedPrincipal | null>,
  ): Promise<AuthUser | null> {
    const found = await this.principals.load(sessionId, read, (principal) =>
      principal.sessionExpiresAt.getTime(),
    );
    return found?.user ?? null;
  }

  forgetSession(sessionId: string): Promise<void> {
    return this.bus.publish('session', sessionId);
  }

  forgetUser(userId: string): Promise<void> {
    return this.bus.publish('user', userId);
  }
}
