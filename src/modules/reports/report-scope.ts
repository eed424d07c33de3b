import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuthUser, visibleStoreIds } from '../../common/auth/auth-user';
import { StoresService } from '../stores/stores.service';
import { DEFAULT_TIME_ZONE } from './periods';

export interface ScopeStore {
  id: string;
  code: string;
  name: string;
  timeZone: string;
}

/** The stores a report covers, and the zone its periods are computed in. */
export interface ReportScope {
  storeId: string | null;
  stores: ScopeStore[];
  storeIds: string[];
  timeZone: string;
  /** The caller's visibility, part of every cache key: `all` or their sorted store ids. */
  visibility: string;
}

/** The clock reports read "today" from (a class, so tests can pin it). */
@Injectable()
export class ReportClock {
  now(): Date {
    return new Date();
  }
}

/**
 * Resolves who may see what: with `storeId`, that store (404 when the caller may not see it,
 * exactly like every store-owned lookup); without, every store the caller may see (admins: all).
 * Read from the primary: access decisions never wait for a replica to catch up.
 */
@Injectable()
export class ReportScopes {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly stores: StoresService,
  ) {}

  async resolve(user: AuthUser, storeId?: string): Promise<ReportScope> {
    const visible = visibleStoreIds(user);
    const visibility = visible === 'all' ? 'all' : [...visible].sort().join(',');
    let stores: ScopeStore[];
    if (storeId) {
      const store = await this.stores.requireVisible(user, storeId);
      stores = [{ id: store.id, code: store.code, name: store.name, timeZone: store.timeZone }];
    } else {
      stores = await this.dataSource.query(
        `SELECT id, code, name, time_zone AS "timeZone" FROM stores
          WHERE $1::uuid[] IS NULL OR id = ANY($1::uuid[]) ORDER BY code`,
        [visible === 'all' ? null : visible],
      );
    }
    const zones = new Set(stores.map((store) => store.timeZone));
    return {
      storeId: storeId ?? null,
      stores,
      storeIds: stores.map((store) => store.id),
      timeZone: zones.size === 1 ? [...zones][0] : DEFAULT_TIME_ZONE,
      visibility,
    };
  }
}
