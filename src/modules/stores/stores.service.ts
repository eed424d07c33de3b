import { Injectable } from '@nestjs/common';
import { inTransaction } from '../../common/database/transaction';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuthUser, visibleStoreIds } from '../../common/auth/auth-user';
import type { RequestMeta } from '../../common/auth/decorators';
import {
  DomainError,
  NotFoundError,
  ValidationFailedError,
} from '../../common/errors/domain-error';
import { isUniqueViolation } from '../../common/errors/unique-violation';
import { offsetOf, Page, PageQueryDto, pageOf } from '../../common/pagination/pagination';
import { AuditService } from '../audit/audit.service';
import { CreateStoreDto, StoreResponse, toStoreResponse, UpdateStoreDto } from './dto/store.dto';
import { Store } from './store.entity';

@Injectable()
export class StoresService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

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
   */
  async requireVisible(user: AuthUser, storeId: string, manager?: EntityManager): Promise<Store> {
    const visible = visibleStoreIds(user);
    if (visible !== 'all' && !visible.includes(storeId)) throw new NotFoundError('Store');
    const store = await (manager ?? this.dataSource.manager).findOneBy(Store, { id: storeId });
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
        const store = await manager.save(manager.create(Store, { ...dto }));
        await this.audit.record(manager, {
          action: 'store.created',
          userId: actor.id,
          username: actor.username,
          entityType: 'store',
          entityId: store.id,
          storeId: store.id,
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: { code: store.code, name: store.name },
        });
        return toStoreResponse(store);
      }),
    );
  }

  async update(
    actor: AuthUser,
    id: string,
    dto: UpdateStoreDto,
    meta: RequestMeta,
  ): Promise<StoreResponse> {
    return this.unique(() =>
      inTransaction(this.dataSource, async (manager) => {
        const store = await manager.findOne(Store, {
          where: { id },
          lock: { mode: 'pessimistic_write' },
        });
        if (!store) throw new NotFoundError('Store');
        const changed = Object.keys(dto).filter(
          (key) =>
            JSON.stringify(store[key as keyof Store]) !==
            JSON.stringify(dto[key as keyof UpdateStoreDto]),
        );
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
          details: { changed },
        });
        return toStoreResponse(saved);
      }),
    );
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
