import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuthUser, visibleStoreIds } from '../../common/auth/auth-user';
import type { RequestMeta } from '../../common/auth/decorators';
import { LocalCache } from '../../common/cache/local-cache';
import { inTransaction } from '../../common/database/transaction';
import {
  DomainError,
  NotFoundError,
  ValidationFailedError,
} from '../../common/errors/domain-error';
import { isUniqueViolation } from '../../common/errors/unique-violation';
import { offsetOf, Page, PageQueryDto, pageOf } from '../../common/pagination/pagination';
import { InvalidationBus } from '../../common/redis/invalidation-bus';
import type { Env } from '../../config/env.schema';
import { AuditService } from '../audit/audit.service';
import { CreateStoreDto, StoreResponse, toStoreResponse, UpdateStoreDto } from './dto/store.dto';
import { Store } from './store.entity';

const MAX_CACHED_STORES = 10_000;

@Injectable()
export class StoresService {
  /** Stores read outside a transaction (every till request reads its store); see LocalCache. */
  private readonly cache: LocalCache<Store>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly bus: InvalidationBus,
    config: ConfigService<Env, true>,
  ) {
    const ttlMs = config.get('LOCAL_CACHE_SECONDS', { infer: true }) * 1000;
    this.cache = new LocalCache(bus, ttlMs, MAX_CACHED_STORES, (topic, key, entries) => {
      if (topic === 'store') entries.delete(key);
    });
  }

  async list(user: AuthUser, query: PageQueryDto): Promise<Page<StoreResponse>> {
    const visible = visibleStoreIds(user);
    const [stores, total] = await this.dataSource.getRepository(Store).findAndCount({
      where: visible === 'all' ? {} : { id: In(visible) },
      order: { code: 'ASC' },
      skip: offsetOf(query),
      take: query.pageSize,
    });
    return pageOf(stores.map(toStoreResponse), query, total);
  }

  async get(user: AuthUser, id: string): Promise<StoreResponse> {
    return toStoreResponse(await this.requireVisible(user, id));
  }

  /**
   * The store if the caller may see it. A store of someone else's is "not found", never
   * "forbidden", so ids of other stores cannot be probed. Every store-owned lookup goes here.
   * The row may come from the cache: it must not be modified.
   */
  async requireVisible(user: AuthUser, storeId: string): Promise<Store> {
    const visible = visibleStoreIds(user);
    if (visible !== 'all' && !visible.includes(storeId)) throw new NotFoundError('Store');
    const store =
      this.cache.get(storeId) ??
      (await this.cache.load(storeId, () =>
        this.dataSource.manager.findOneBy(Store, { id: storeId }),
      ));
    if (!store) throw new NotFoundError('Store');
    return store;
  }

  /** A store by id with no visibility check: for internal work such as notifications. */
  findById(storeId: string): Promise<Store | null> {
    return this.dataSource.manager.findOneBy(Store, { id: storeId });
  }

  /** Rejects ids that are not stores (used when assigning users to stores). */
  async assertExist(manager: EntityManager, storeIds: string[], field = 'storeIds'): Promise<void> {
    if (storeIds.length === 0) return;
    const found = await manager.countBy(Store, { id: In(storeIds) });
    if (found !== new Set(storeIds).size) {
      throw new ValidationFailedError([
        { field, problems: ['every store id must be an existing store'] },
      ]);
    }
  }

  async create(actor: AuthUser, dto: CreateStoreDto, meta: RequestMeta): Promise<StoreResponse> {
    return this.unique(() =>
      inTransaction(this.dataSource, async (manager) => {
        await this.assertZoneKnown(manager, dto.timeZone);
        const store = await manager.save(manager.create(Store, { ...dto }));
        const created = toStoreResponse(store);
        // Every starting value, so a later store.updated's `from` has a recorded origin.
        const { id: _id, createdAt: _createdAt, ...startingValues } = created;
        await this.audit.record(manager, {
          action: 'store.created',
          userId: actor.id,
          username: actor.username,
          entityType: 'store',
          entityId: store.id,
          storeId: store.id,
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: startingValues,
        });
        return created;
      }),
    );
  }

  async update(
    actor: AuthUser,
    id: string,
    dto: UpdateStoreDto,
    meta: RequestMeta,
  ): Promise<StoreResponse> {
    const { store: updated, changed } = await this.unique(() =>
      inTransaction(this.dataSource, async (manager) => {
        const store = await manager.findOne(Store, {
          where: { id },
          lock: { mode: 'pessimistic_write' },
        });
        if (!store) throw new NotFoundError('Store');
        await this.assertZoneKnown(manager, dto.timeZone);
        const changed = (Object.keys(dto) as (keyof UpdateStoreDto)[])
          .filter((key) => JSON.stringify(store[key]) !== JSON.stringify(dto[key]))
          .sort();
        // Nothing to change (an empty body, or the values it has): no write, no audit entry.
        if (changed.length === 0) return { store: toStoreResponse(store), changed: false };
        // Both sides, so that a deactivation and a reactivation, or a redirected alert
        // address, can be told apart in the log.
        const from = Object.fromEntries(changed.map((key) => [key, store[key]]));
        const to = Object.fromEntries(changed.map((key) => [key, dto[key]]));
        Object.assign(store, dto);
        const saved = await manager.save(store);
        await this.audit.record(manager, {
          action: 'store.updated',
          userId: actor.id,
          username: actor.username,
          entityType: 'store',
          entityId: id,
          storeId: id,
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: { code: saved.code, changed, from, to },
        });
        return { store: toStoreResponse(saved), changed: true };
      }),
    );
    if (changed) await this.bus.publish('store', id);
    return updated;
  }

  /** PostgreSQL groups a store's sales by day in its zone: the name must be one it knows, exactly. */
  private async assertZoneKnown(manager: EntityManager, timeZone: string | undefined) {
    if (timeZone === undefined) return;
    const [{ known }]: { known: boolean }[] = await manager.query(
      `SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS known`,
      [timeZone],
    );
    if (!known) {
      throw new ValidationFailedError([
        { field: 'timeZone', problems: ['timeZone is not a time zone the database knows'] },
      ]);
    }
  }

  private async unique<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error, 'uq_stores_code')) {
        throw new DomainError('CONFLICT', 'A store with this code already exists', [
          { field: 'code', problems: ['already used'] },
        ]);
      }
      throw error;
    }
  }
}
