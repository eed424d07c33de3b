import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import type { RequestMeta } from '../../common/auth/decorators';
import { inTransaction } from '../../common/database/transaction';
import { USERNAME_PATTERN } from '../../common/validators/username';
import { AuditService } from '../audit/audit.service';
import { SessionsService } from '../auth/sessions.service';
import { PasswordHasher } from './password-hasher';
import { User } from './user.entity';

/** A user's credentials, for signing in and changing one's own password (AuthService). */
@Injectable()
export class UserCredentials {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  /**
   * The user signing in with this name. A name no account can have finds nobody: the column's
   * case-insensitive match (citext) can fold a non-ASCII letter to an ASCII one (`İ` to `i`)
   * that the lockout's key does not, and each such spelling would get its own five tries.
   */
  async findByUsername(username: string): Promise<User | null> {
    if (!USERNAME_PATTERN.test(username)) return null;
    return this.dataSource.manager.findOneBy(User, { username });
  }

  /**
   * Changes the caller's own password and ends their other sessions. Returns false, changing
   * nothing, when the current password is wrong (AuthService counts that as a failed sign-in).
   */
  async changePassword(
    actor: AuthUser,
    currentPassword: string,
    newPassword: string,
    meta: RequestMeta,
  ): Promise<boolean> {
    const user = await this.dataSource.manager.findOneBy(User, { id: actor.id });
    if (!user || !(await this.hasher.verify(user.passwordHash, currentPassword))) return false;
    const passwordHash = await this.hasher.hash(newPassword);
    const changed = await inTransaction(this.dataSource, async (manager) => {
      // Only over the password just checked: an admin's reset meanwhile is not undone.
      const { affected } = await manager.update(
        User,
        { id: actor.id, passwordHash: user.passwordHash },
        { passwordHash },
      );
      if (affected === 0) return false;
      await this.sessions.revokeAllForUser(manager, actor.id, 'password_changed', actor.sessionId);
      await this.audit.record(manager, {
        action: 'auth.password_changed',
        userId: actor.id,
        username: actor.username,
        entityType: 'user',
        entityId: actor.id,
        ip: meta.ip,
        userAgent: meta.userAgent,
      });
      return true;
    });
    if (changed) await this.sessions.forgetUser(actor.id);
    return changed;
  }

  /**
   * For a sign-in, inside the transaction that starts its session: locks the user (FOR SHARE)
   * and tells whether they are still active with the password hash that was checked. A reset or
   * deactivation that committed after the check wins; one still running waits for the session
   * and then revokes it.
   */
  async stillSignsInWith(manager: EntityManager, user: User): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM users WHERE id = $1 AND active AND password_hash = $2 FOR SHARE`,
      [user.id, user.passwordHash],
    );
    return rows.length === 1;
  }
}
