import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import type { RequestMeta } from '../../common/auth/decorators';
import { inTransaction } from '../../common/database/transaction';
import { DomainError } from '../../common/errors/domain-error';
import type { Env } from '../../config/env.schema';
import type { AuditEntryInput } from '../audit/audit-actions';
import { AuditService } from '../audit/audit.service';
import { PasswordHasher } from '../users/password-hasher';
import { UserCredentials } from '../users/user-credentials.service';
import { UsersService } from '../users/users.service';
import type { LoginDto, LoginResponse, TokenPairResponse } from './dto/auth.dto';
import type { AccessTokenClaims } from './access-token-verifier';
import { LoginAttempts } from './login-attempts';
import { RevocationReason, SessionsService } from './sessions.service';

const BAD_CREDENTIALS = 'Invalid username or password';

@Injectable()
export class AuthService {
  private readonly accessTtlSeconds: number;
  private readonly refreshTtlDays: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly credentials: UserCredentials,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly attempts: LoginAttempts,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    config: ConfigService<Env, true>,
  ) {
    this.accessTtlSeconds = config.get('JWT_ACCESS_TTL_SECONDS', { infer: true });
    this.refreshTtlDays = config.get('REFRESH_TOKEN_TTL_DAYS', { infer: true });
  }

  async login(dto: LoginDto, meta: RequestMeta): Promise<LoginResponse> {
    const waitMs = await this.attempts.begin(meta.ip, dto.username);
    if (waitMs > 0) throw this.lockedOut(waitMs);

    const { user, passwordMatches } = await this.checkedAttempt(meta, dto.username, async () => {
      const found = await this.credentials.findByUsername(dto.username);
      return {
        user: found,
        passwordMatches: found
          ? await this.hasher.verify(found.passwordHash, dto.password)
          : await this.hasher.verifyDecoy(dto.password),
      };
    });
    if (!user || !passwordMatches || !user.active) {
      // The caller hears the same 401 either way; the auditor sees a former employee's right
      // password apart from a guess.
      const reason = !user ? 'unknown_user' : !passwordMatches ? 'wrong_password' : 'inactive_user';
      await this.recordFailure(dto.username, user?.id ?? null, meta, { reason });
      throw new DomainError('UNAUTHENTICATED', BAD_CREDENTIALS);
    }

    await this.attempts.succeeded(meta.ip, dto.username);
    const { sessionId, refreshToken } = await inTransaction(this.dataSource, async (manager) => {
      if (!(await this.credentials.stillSignsInWith(manager, user)))
        throw new DomainError('UNAUTHENTICATED', BAD_CREDENTIALS);
      const started = await this.sessions.start(manager, user.id, meta, this.refreshTtlDays);
      await this.audit.record(manager, {
        action: 'auth.login',
        userId: user.id,
        username: user.username,
        entityType: 'session',
        entityId: started.sessionId,
        ip: meta.ip,
        userAgent: meta.userAgent,
      });
      return started;
    });
    return {
      ...(await this.tokens(user.id, sessionId, refreshToken)),
      user: await this.users.get(user.id),
    };
  }

  async refresh(refreshToken: string, meta: RequestMeta): Promise<TokenPairResponse> {
    const result = await this.sessions.rotate(refreshToken);
    if (result.outcome === 'rotated') {
      return this.tokens(result.userId, result.sessionId, result.refreshToken);
    }
    if (result.outcome === 'reused') {
      // A stolen token replayed: the thief and the owner are both signed out.
      const owner = await this.users.get(result.userId);
      await this.endSession(
        result.sessionId,
        'refresh_reused',
        { action: 'auth.refresh_reused', userId: owner.id, username: owner.username },
        meta,
        { revoked: true },
      );
    }
    throw new DomainError('UNAUTHENTICATED', 'Invalid refresh token');
  }

  async logout(user: AuthUser, meta: RequestMeta): Promise<void> {
    await this.endSession(
      user.sessionId,
      'logout',
      { action: 'auth.logout', userId: user.id, username: user.username },
      meta,
    );
  }

  /**
   * Revokes a session and audits why, together or not at all; then every API process stops
   * accepting it (after the commit: nothing slow inside the transaction).
   */
  private async endSession(
    sessionId: string,
    reason: RevocationReason,
    entry: Pick<AuditEntryInput, 'action' | 'userId' | 'username'>,
    meta: RequestMeta,
    details?: Record<string, unknown>,
  ): Promise<void> {
    await inTransaction(this.dataSource, async (manager) => {
      await this.sessions.revoke(manager, sessionId, reason);
      await this.audit.record(manager, {
        ...entry,
        entityType: 'session',
        entityId: sessionId,
        ip: meta.ip,
        userAgent: meta.userAgent,
        details,
      });
    });
    await this.sessions.forgetSession(sessionId);
  }

  /**
   * Changes the caller's password. A wrong current password counts as a failed sign-in of the
   * user from this IP, so a stolen session cannot guess the password without limit.
   */
  async changePassword(
    user: AuthUser,
    currentPassword: string,
    newPassword: string,
    meta: RequestMeta,
  ): Promise<void> {
    const waitMs = await this.attempts.begin(meta.ip, user.username);
    if (waitMs > 0) throw this.lockedOut(waitMs);
    const changed = await this.checkedAttempt(meta, user.username, () =>
      this.credentials.changePassword(user, currentPassword, newPassword, meta),
    );
    if (!changed) {
      await this.recordFailure(user.username, user.id, meta, { during: 'password_change' });
      throw new DomainError('UNAUTHENTICATED', 'Current password is wrong');
    }
    await this.attempts.succeeded(meta.ip, user.username);
  }

  /** Runs a password check reserved with `attempts.begin`; a check that throws frees it. */
  private async checkedAttempt<T>(
    meta: RequestMeta,
    username: string,
    check: () => Promise<T>,
  ): Promise<T> {
    try {
      return await check();
    } catch (error) {
      await this.attempts.abandoned(meta.ip, username);
      throw error;
    }
  }

  /** Counts a failed password check, and audits it and a lockout it starts. */
  private async recordFailure(
    username: string,
    userId: string | null,
    meta: RequestMeta,
    details?: Record<string, unknown>,
  ): Promise<void> {
    const lockMs = await this.attempts.failed(meta.ip, username);
    const entry = {
      userId,
      username: username.slice(0, 100),
      ip: meta.ip,
      userAgent: meta.userAgent,
    };
    await this.audit.recordNow({ action: 'auth.login_failed', ...entry, details });
    if (lockMs > 0) {
      await this.audit.recordNow({
        action: 'auth.locked_out',
        ...entry,
        details: { ...details, lockedForSeconds: lockMs / 1000 },
      });
    }
  }

  private lockedOut(lockedMs: number): DomainError {
    const seconds = Math.ceil(lockedMs / 1000);
    return new DomainError(
      'TOO_MANY_REQUESTS',
      `Too many failed sign-in attempts. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
      [],
      { 'Retry-After': String(seconds) },
    );
  }

  private async tokens(
    userId: string,
    sessionId: string,
    refreshToken: string,
  ): Promise<TokenPairResponse> {
    const claims: AccessTokenClaims = { sub: userId, sid: sessionId };
    const accessToken = await this.jwt.signAsync(claims, {
      expiresIn: this.accessTtlSeconds,
      algorithm: 'HS256',
    });
    return { accessToken, refreshToken, expiresIn: this.accessTtlSeconds };
  }
}
