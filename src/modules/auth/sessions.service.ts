import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser, Role } from '../../common/auth/auth-user';
import type { RequestMeta } from '../../common/auth/decorators';
import { inTransaction } from '../../common/database/transaction';
import { PrincipalCache } from './principal-cache';
import { RefreshToken } from './refresh-token.entity';
import { Session } from './session.entity';

export type RevocationReason = 'logout' | 'deactivated' | 'refresh_reused' | 'password_changed';

export type RotationResult =
  | { outcome: 'rotated'; sessionId: string; userId: string; refreshToken: string }
  | { outcome: 'reused'; sessionId: string; userId: string }
  | { outcome: 'invalid' };

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

interface PrincipalRow {
  id: string;
  username: string;
  role: Role;
  store_ids: string[];
  commission_rate: string;
  expires_at: Date;
}

/**
 * Sessions and their rotating refresh tokens. Revocation is checked on every request (through
 * the PrincipalCache, which every revocation and user change must reach: call `forgetSession`
 * or `forgetUser` once the transaction that made the change has committed).
 */
@Injectable()
export class SessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cache: PrincipalCache,
  ) {}

  async start(
    manager: EntityManager,
    userId: string,
    meta: RequestMeta,
    ttlDays: number,
  ): Promise<{ sessionId: string; refreshToken: string }> {
    const session = await manager.save(
      manager.create(Session, {
        userId,
        expiresAt: new Date(Date.now() + ttlDays * 86_400_000),
        ip: meta.ip,
        userAgent: meta.userAgent,
        revokedAt: null,
        revokedReason: null,
      }),
    );
    const refreshToken = await this.issueRefreshToken(manager, session.id);
    return { sessionId: session.id, refreshToken };
  }

  /**
   * Exchanges a refresh token for a new one. A token is marked used atomically, so two
   * concurrent refreshes with the same token cannot both succeed; a used token presented
   * again is reported as reuse (the caller revokes the session).
   */
  rotate(token: string): Promise<RotationResult> {
    return inTransaction(this.dataSource, async (manager) => {
      const rows: { session_id: string; user_id: string; used: boolean; live: boolean }[] =
        await manager.query(
          `SELECT t.session_id, s.user_id, t.used_at IS NOT NULL AS used,
                (s.revoked_at IS NULL AND s.expires_at > now()) AS live
           FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
          WHERE t.token_hash = $1`,
          [hashToken(token)],
        );
      const found = rows[0];
      if (!found) return { outcome: 'invalid' };
      const identity = { sessionId: found.session_id, userId: found.user_id };
      if (!found.live) return { outcome: 'invalid' };
      if (found.used) return { outcome: 'reused', ...identity };
      const [, claimed] = await manager.query(
        `UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL`,
        [hashToken(token)],
      );
      if (claimed === 0) return { outcome: 'reused', ...identity };
      const refreshToken = await this.issueRefreshToken(manager, found.session_id);
      return { outcome: 'rotated', ...identity, refreshToken };
    });
  }

  async revoke(manager: EntityManager, sessionId: string, reason: RevocationReason): Promise<void> {
    await manager.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL`,
      [sessionId, reason],
    );
  }

  async revokeAllForUser(
    manager: EntityManager,
    userId: string,
    reason: RevocationReason,
    exceptSessionId?: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = $2
        WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $3`,
      [userId, reason, exceptSessionId ?? null],
    );
  }

  /** The caller behind an access token, or null when the session is revoked or expired or the user inactive. */
  async principal(sessionId: string, userId: string): Promise<AuthUser | null> {
    return (
      this.cache.get(sessionId, userId) ??
      this.cache.load(sessionId, async () => {
        const rows: PrincipalRow[] = await this.dataSource.query(
          `SELECT u.id, u.username, u.role, u.commission_rate, s.expires_at,
                  COALESCE(array_agg(us.store_id) FILTER (WHERE us.store_id IS NOT NULL), '{}') AS store_ids
             FROM sessions s
             JOIN users u ON u.id = s.user_id
             LEFT JOIN user_stores us ON us.user_id = u.id
            WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active
            GROUP BY u.id, s.expires_at`,
          [sessionId, userId],
        );
        const row = rows[0];
        if (!row) return null;
        const user: AuthUser = {
          id: row.id,
          username: row.username,
          role: row.role,
          storeIds: row.store_ids,
          commissionRate: Number(row.commission_rate),
          sessionId,
        };
        return { user, sessionExpiresAt: row.expires_at };
      })
    );
  }

  /** After a session's revocation committed: every API process stops accepting it at once. */
  forgetSession(sessionId: string): Promise<void> {
    return this.cache.forgetSession(sessionId);
  }

  /** After a change to a user (rights, stores, deactivation, password) committed. */
  forgetUser(userId: string): Promise<void> {
    return this.cache.forgetUser(userId);
  }

  private async issueRefreshToken(manager: EntityManager, sessionId: string): Promise<string> {
    const token = newToken();
    await manager.insert(RefreshToken, { sessionId, tokenHash: hashToken(token), usedAt: null });
    return token;
  }
}
