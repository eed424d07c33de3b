import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In } from 'typeorm';
import { AuthUser, canSeeStore, visibleStoreIds } from '../../common/auth/auth-user';
import { NotFoundError } from '../../common/errors/domain-error';
import { offsetOf, Page, pageOf } from '../../common/pagination/pagination';
import type { ListTransfersQueryDto } from './dto/list-transfers.dto';
import { toTransferResponse, TransferResponse } from './dto/transfer.response';
import { TransferItem } from './transfer-item.entity';
import { Transfer } from './transfer.entity';

export interface LoadedTransfer {
  transfer: Transfer;
  items: TransferItem[];
}

/** A caller may see a transfer when they may see either of its stores. */
export function canSeeTransfer(user: AuthUser, transfer: Transfer): boolean {
  return canSeeStore(user, transfer.fromStoreId) || canSeeStore(user, transfer.toStoreId);
}

/**
 * Transfers as their callers may see them: one whose stores are both invisible to the caller
 * is "not found". Also reads a transfer for its notification emails (no caller there).
 */
@Injectable()
export class TransferReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A transfer and its items in request order, or undefined (no visibility check). */
  async load(manager: EntityManager, transferId: string): Promise<LoadedTransfer | undefined> {
    const transfer = await manager.findOneBy(Transfer, { id: transferId });
    if (!transfer) return undefined;
    const items = await manager.find(TransferItem, {
      where: { transferId },
      order: { lineNo: 'ASC' },
    });
    return { transfer, items };
  }

  /** The transfer if the caller may see one of its stores; NOT_FOUND otherwise. */
  async requireVisible(user: AuthUser, transferId: string): Promise<Transfer> {
    const transfer = await this.dataSource.manager.findOneBy(Transfer, { id: transferId });
    if (!transfer || !canSeeTransfer(user, transfer)) throw new NotFoundError('Transfer');
    return transfer;
  }

  async get(user: AuthUser, transferId: string): Promise<TransferResponse> {
    await this.requireVisible(user, transferId);
    const loaded = await this.load(this.dataSource.manager, transferId);
    if (!loaded) throw new NotFoundError('Transfer');
    return toTransferResponse(loaded.transfer, loaded.items);
  }

  async list(user: AuthUser, query: ListTransfersQueryDto): Promise<Page<TransferResponse>> {
    const visible = visibleStoreIds(user);
    if (query.storeId && visible !== 'all' && !visible.includes(query.storeId))
      throw new NotFoundError('Store');
    const builder = this.dataSource.getRepository(Transfer).createQueryBuilder('t');
    if (visible !== 'all') {
      builder.andWhere(
        new Brackets((either) =>
          either
            .where('t.fromStoreId = ANY(:visible)', { visible })
            .orWhere('t.toStoreId = ANY(:visible)', { visible }),
        ),
      );
    }
    if (query.storeId) {
      builder.andWhere(
        new Brackets((either) =>
          either
            .where('t.fromStoreId = :storeId', { storeId: query.storeId })
            .orWhere('t.toStoreId = :storeId', { storeId: query.storeId }),
        ),
      );
    }
    if (query.status) builder.andWhere('t.status = :status', { status: query.status });
    const [transfers, total] = await builder
      .orderBy('t.createdAt', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .skip(offsetOf(query))
      .take(query.pageSize)
      .getManyAndCount();
    const items = transfers.length
      ? await this.dataSource.manager.find(TransferItem, {
          where: { transferId: In(transfers.map((transfer) => transfer.id)) },
          order: { transferId: 'ASC', lineNo: 'ASC' },
        })
      : [];
    const byTransfer = new Map<string, TransferItem[]>();
    for (const item of items) {
      const list = byTransfer.get(item.transferId) ?? [];
      list.push(item);
      byTransfer.set(item.transferId, list);
    }
    return pageOf(
      transfers.map((transfer) => toTransferResponse(transfer, byTransfer.get(transfer.id) ?? [])),
      query,
      total,
    );
  }
}
