import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import type { RequestMeta } from '../../common/auth/decorators';
import { containsPattern } from '../../common/database/like-pattern';
import { inTransaction } from '../../common/database/transaction';
import {
  DomainError,
  NotFoundError,
  ValidationFailedError,
} from '../../common/errors/domain-error';
import { isUniqueViolation } from '../../common/errors/unique-violation';
import { offsetOf, Page, pageOf } from '../../common/pagination/pagination';
import { AuditService } from '../audit/audit.service';
import { SessionsService } from '../auth/sessions.service';
import { StoresService } from '../stores/stores.service';
import { CreateUserDto, ListUsersQueryDto, UpdateUserDto, UserResponse } from './dto/user.dto';
import { PasswordHasher } from './password-hasher';
import { UserStore } from './user-store.entity';
import { User } from './user.entity';

function toUserResponse(user: User, storeIds: string[]): UserResponse {
  return {
    id: user.id,
    username: user.username,
    fullName: user.fullName,
    email: user.email,
    role: user.role,
    storeIds,
    commissionRate: user.commissionRate,
    active: user.active,
    createdAt: user.createdAt.toISOString(),
  };
}

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly stores: StoresService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListUsersQueryDto): Promise<Page<UserResponse>> {
    const builder = this.dataSource.getRepository(User).createQueryBuilder('user');
    if (query.role) builder.andWhere('user.role = :role', { role: query.role });
    if (query.active !== undefined)
      builder.andWhere('user.active = :active', { active: query.active });
    if (query.storeId) {
      builder.andWhere(
        'EXISTS (SELECT 1 FROM user_stores us WHERE us.user_id = user.id AND us.store_id = :storeId)',
        {
          storeId: query.storeId,
        },
      );
    }
    if (query.search) {
      builder.andWhere('(user.username ILIKE :search OR user.full_name ILIKE :search)', {
        search: containsPattern(query.search),
      });
    }
    const [users, total] = await builder
      .orderBy('user.username', 'ASC')
      .skip(offsetOf(query))
      .take(query.pageSize)
      .getManyAndCount();
    const storeIds = await this.storeIdsOf(
      this.dataSource.manager,
      users.map((user) => user.id),
    );
    return pageOf(
      users.map((user) => toUserResponse(user, storeIds.get(user.id) ?? [])),
      query,
      total,
    );
  }

  async get(id: string): Promise<UserResponse> {
    const user = await this.dataSource.manager.findOneBy(User, { id });
    if (!user) throw new NotFoundError('User');
    const storeIds = await this.storeIdsOf(this.dataSource.manager, [id]);
    return toUserResponse(user, storeIds.get(id) ?? []);
  }

  async create(actor: AuthUser, dto: CreateUserDto, meta: RequestMeta): Promise<UserResponse> {
    const storeIds = [...new Set(dto.storeIds)];
    this.assertStoresFitRole(dto.role, storeIds);
    const passwordHash = await this.hasher.hash(dto.password);
    return this.uniqueUsername(() =>
      inTransaction(this.dataSource, async (manager) => {
        await this.stores.assertExist(manager, storeIds);
        const user = await manager.save(
          manager.create(User, {
            username: dto.username,
            passwordHash,
            fullName: dto.fullName,
            email: dto.email ?? null,
            role: dto.role,
            commissionRate: dto.commissionRate ?? 0,
            active: true,
          }),
        );
        await this.replaceStores(manager, user.id, storeIds);
        await this.audit.record(manager, {
          action: 'user.created',
          userId: actor.id,
          username: actor.username,
          entityType: 'user',
          entityId: user.id,
          ip: meta.ip,
          userAgent: meta.userAgent,
          // Every starting value (never the password), so a later user.updated's `from` has a
          // recorded origin: commission is money.
          details: {
            username: user.username,
            fullName: user.fullName,
            email: user.email,
            role: user.role,
            commissionRate: user.commissionRate,
            storeIds,
          },
        });
        return toUserResponse(user, storeIds);
      }),
    );
  }

  async update(
    actor: AuthUser,
    id: string,
    dto: UpdateUserDto,
    meta: RequestMeta,
  ): Promise<UserResponse> {
    const passwordHash = dto.password ? await this.hasher.hash(dto.password) : undefined;
    const updated = await inTransaction(this.dataSource, async (manager) => {
      // Changes to who is an active admin take turns, so two admins demoting each other at once
      // cannot both see the other one remaining.
      if (dto.role !== undefined || dto.active === false)
        await manager.query(`SELECT pg_advisory_xact_lock(hashtext('pos:active-admins'))`);
      const user = await manager.findOne(User, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user) throw new NotFoundError('User');
      await this.assertAnAdminRemains(manager, user, dto);
      const current = (await this.storeIdsOf(manager, [id])).get(id) ?? [];
      const storeIds = dto.storeIds ? [...new Set(dto.storeIds)] : current;
      if (dto.role || dto.storeIds) this.assertStoresFitRole(dto.role ?? user.role, storeIds);
      if (dto.storeIds) {
        await this.stores.assertExist(manager, storeIds);
        await this.replaceStores(manager, id, storeIds);
      }
      const { password: _password, storeIds: _storeIds, ...fields } = dto;
      const changed = Object.keys(dto).filter((key) => key !== 'password' || passwordHash);
      // What it was, beside what was set: a commission raised and set back shows both steps.
      const from = {
        ...Object.fromEntries(
          (Object.keys(fields) as (keyof typeof fields)[]).map((key) => [key, user[key]]),
        ),
        ...(dto.storeIds ? { storeIds: current } : {}),
      };
      Object.assign(user, fields, passwordHash ? { passwordHash } : {});
      const saved = await manager.save(user);
      if (dto.active === false) await this.sessions.revokeAllForUser(manager, id, 'deactivated');
      if (passwordHash) await this.sessions.revokeAllForUser(manager, id, 'password_changed');
      await this.audit.record(manager, {
        action: 'user.updated',
        userId: actor.id,
        username: actor.username,
        entityType: 'user',
        entityId: id,
        ip: meta.ip,
        userAgent: meta.userAgent,
        // What was set (so deactivating and reactivating differ), never the password.
        details: { changed, ...fields, ...(dto.storeIds ? { storeIds } : {}), from },
      });
      return toUserResponse(saved, storeIds);
    });
    // Role, stores, commission, deactivation and password all change what a session may do.
    await this.sessions.forgetUser(id);
    return updated;
  }

  /** Refuses to deactivate or demote the last active admin: nobody could manage users then. */
  private async assertAnAdminRemains(
    manager: EntityManager,
    user: User,
    dto: UpdateUserDto,
  ): Promise<void> {
    const isActiveAdmin = user.role === 'admin' && user.active;
    const staysActiveAdmin = (dto.role ?? user.role) === 'admin' && (dto.active ?? user.active);
    if (!isActiveAdmin || staysActiveAdmin) return;
    const [{ others }]: { others: number }[] = await manager.query(
      `SELECT count(*)::int AS others FROM users WHERE role = 'admin' AND active AND id <> $1`,
      [user.id],
    );
    if (others === 0) {
      throw new DomainError(
        'INVALID_STATE',
        'This is the last active admin: make another user an active admin first',
      );
    }
  }

  /** Email addresses of the active managers of a store (for store notifications). */
  async managerEmails(storeId: string): Promise<string[]> {
    const rows: { email: string }[] = await this.dataSource.query(
      `SELECT DISTINCT u.email FROM users u JOIN user_stores us ON us.user_id = u.id
        WHERE us.store_id = $1 AND u.role = 'manager' AND u.active AND u.email IS NOT NULL
        ORDER BY u.email`,
      [storeId],
    );
    return rows.map((row) => row.email);
  }

  /**
   * Creates the first admin on an empty database; does nothing once any user exists. Safe when
   * several instances boot at once (advisory lock).
   */
  async bootstrapAdmin(username: string, password: string): Promise<AuthUser | null> {
    const passwordHash = await this.hasher.hash(password);
    return inTransaction(this.dataSource, async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('pos:bootstrap-admin'))`);
      if ((await manager.count(User)) > 0) return null;
      const admin = await manager.save(
        manager.create(User, {
          username,
          passwordHash,
          fullName: 'Administrator',
          role: 'admin',
          active: true,
        }),
      );
      await this.audit.record(manager, {
        action: 'user.created',
        userId: admin.id,
        username: admin.username,
        entityType: 'user',
        entityId: admin.id,
        details: { username, role: 'admin', bootstrap: true },
      });
      return {
        id: admin.id,
        username: admin.username,
        role: 'admin',
        storeIds: [],
        commissionRate: 0,
        sessionId: 'bootstrap',
      };
    });
  }

  private assertStoresFitRole(role: string, storeIds: string[]): void {
    if (role !== 'admin' && storeIds.length === 0) {
      throw new ValidationFailedError([
        { field: 'storeIds', problems: ['managers and cashiers need at least one store'] },
      ]);
    }
  }

  private async replaceStores(
    manager: EntityManager,
    userId: string,
    storeIds: string[],
  ): Promise<void> {
    await manager.delete(UserStore, { userId });
    if (storeIds.length > 0)
      await manager.insert(
        UserStore,
        storeIds.map((storeId) => ({ userId, storeId })),
      );
  }

  private async storeIdsOf(
    manager: EntityManager,
    userIds: string[],
  ): Promise<Map<string, string[]>> {
    const byUser = new Map<string, string[]>();
    if (userIds.length === 0) return byUser;
    const rows: { user_id: string; store_id: string }[] = await manager.query(
      'SELECT user_id, store_id FROM user_stores WHERE user_id = ANY($1) ORDER BY store_id',
      [userIds],
    );
    for (const row of rows)
      byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row.store_id]);
    return byUser;
  }

  private async uniqueUsername<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error, 'uq_users_username')) {
        throw new DomainError('CONFLICT', 'This username is already taken', [
          { field: 'username', problems: ['already used (usernames are case-insensitive)'] },
        ]);
      }
      throw error;
    }
  }
}
