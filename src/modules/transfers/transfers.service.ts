import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser, canSeeStore } from '../../common/auth/auth-user';
import type { RequestMeta } from '../../common/auth/decorators';
import { inTransaction } from '../../common/database/transaction';
import {
  DomainError,
  FieldProblem,
  NotFoundError,
  ValidationFailedError,
} from '../../common/errors/domain-error';
import type { AuditAction } from '../audit/audit-actions';
import { AuditService } from '../audit/audit.service';
import { ProductsService } from '../catalog/products.service';
import { InventoryService } from '../inventory/inventory.service';
import { OutboxService } from '../notifications/outbox.service';
import { StoresService } from '../stores/stores.service';
import type { CreateTransferDto } from './dto/create-transfer.dto';
import { toTransferResponse, TransferResponse } from './dto/transfer.response';
import { LoadedTransfer, TransferReader } from './transfer-reader';
import { TransferItem } from './transfer-item.entity';
import { Transfer, TransferStatus } from './transfer.entity';

type Decision = 'approve' | 'reject' | 'cancel';

const OUTCOME: Record<Decision, { status: TransferStatus; action: AuditAction }> = {
  approve: { status: 'completed', action: 'transfer.approved' },
  reject: { status: 'rejected', action: 'transfer.rejected' },
  cancel: { status: 'cancelled', action: 'transfer.cancelled' },
};

/**
 * Transfers between stores: pending → completed | rejected | cancelled. Each transition is one
 * guarded `UPDATE … WHERE status = 'pending'` that also locks the row, so of two racing
 * transitions the second waits, then finds the transfer decided (INVALID_STATE). Approval moves
 * the stock in the same transaction; INSUFFICIENT_STOCK rolls the transition back with it.
 */
@Injectable()
export class TransfersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly stores: StoresService,
    private readonly products: ProductsService,
    private readonly inventory: InventoryService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly reader: TransferReader,
  ) {}

  async create(
    user: AuthUser,
    dto: CreateTransferDto,
    meta: RequestMeta,
  ): Promise<TransferResponse> {
    if (dto.fromStoreId === dto.toStoreId) {
      throw new ValidationFailedError([
        { field: 'toStoreId', problems: ['must be a different store than fromStoreId'] },
      ]);
    }
    // Staff request stock for their own store: a destination they do not work at is not found.
    const to = await this.stores.requireVisible(user, dto.toStoreId);
    const from = await this.stores.findById(dto.fromStoreId);
    if (!from) throw new NotFoundError('Store');
    const inactive: FieldProblem[] = [];
    if (!from.active) inactive.push({ field: 'fromStoreId', problems: ['the store is inactive'] });
    if (!to.active) inactive.push({ field: 'toStoreId', problems: ['the store is inactive'] });
    if (inactive.length > 0) throw new ValidationFailedError(inactive);
    this.assertUniqueProducts(dto);

    return inTransaction(this.dataSource, async (manager) => {
      await this.assertProductsExist(manager, dto);
      const transfer = await manager.save(
        manager.create(Transfer, {
          fromStoreId: from.id,
          toStoreId: to.id,
          status: 'pending',
          note: dto.note ?? null,
          reason: null,
          requestedBy: user.id,
          decidedBy: null,
          decidedAt: null,
        }),
      );
      const items = dto.items.map((item, index) =>
        manager.create(TransferItem, {
          transferId: transfer.id,
          fromStoreId: transfer.fromStoreId,
          productId: item.productId,
          lineNo: index + 1,
          quantity: item.quantity,
        }),
      );
      await manager.insert(TransferItem, items);
      await this.audit.record(manager, {
        action: 'transfer.requested',
        userId: user.id,
        username: user.username,
        entityType: 'transfer',
        entityId: transfer.id,
        storeId: to.id,
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: { fromStoreId: from.id, toStoreId: to.id, items: dto.items },
      });
      await this.outbox.add(manager, {
        type: 'transfer_requested',
        payload: { transferId: transfer.id },
      });
      return toTransferResponse(transfer, items);
    });
  }

  approve(user: AuthUser, id: string, meta: RequestMeta): Promise<TransferResponse> {
    return this.decide(user, id, 'approve', meta);
  }

  reject(user: AuthUser, id: string, reason: string, meta: RequestMeta): Promise<TransferResponse> {
    return this.decide(user, id, 'reject', meta, reason);
  }

  cancel(user: AuthUser, id: string, meta: RequestMeta): Promise<TransferResponse> {
    return this.decide(user, id, 'cancel', meta);
  }

  private async decide(
    user: AuthUser,
    id: string,
    decision: Decision,
    meta: RequestMeta,
    reason: string | null = null,
  ): Promise<TransferResponse> {
    const visible = await this.reader.requireVisible(user, id);
    this.authorize(user, visible, decision);
    if (decision === 'approve') await this.assertStoresActive(visible);
    const { status, action } = OUTCOME[decision];
    return inTransaction(this.dataSource, async (manager) => {
      await this.transition(manager, id, decision, status, user.id, reason);
      const loaded = await this.reader.load(manager, id);
      if (!loaded) throw new NotFoundError('Transfer');
      if (decision === 'approve') await this.moveStock(manager, loaded, user.id);
      const { transfer, items } = loaded;
      await this.audit.record(manager, {
        action,
        userId: user.id,
        username: user.username,
        entityType: 'transfer',
        entityId: id,
        storeId: decision === 'cancel' ? transfer.toStoreId : transfer.fromStoreId,
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: {
          fromStoreId: transfer.fromStoreId,
          toStoreId: transfer.toStoreId,
          status,
          ...(reason ? { reason } : {}),
        },
      });
      await this.outbox.add(manager, { type: 'transfer_decided', payload: { transferId: id } });
      return toTransferResponse(transfer, items);
    });
  }

  /**
   * Who may take a transfer they can see out of `pending`: approve and reject belong to the
   * source store's managers (and admins), cancel to the requester (and admins). Cashiers never
   * reach approve or reject (role guard); a manager of the destination only is refused here.
   */
  private authorize(user: AuthUser, transfer: Transfer, decision: Decision): void {
    if (user.role === 'admin') return;
    if (decision === 'cancel') {
      if (transfer.requestedBy !== user.id) {
        throw new DomainError('FORBIDDEN', 'Only the requester or an admin can cancel a transfer');
      }
      return;
    }
    if (user.role !== 'manager' || !canSeeStore(user, transfer.fromStoreId)) {
      throw new DomainError(
        'FORBIDDEN',
        `Only a manager of the source store or an admin can ${decision} a transfer`,
      );
    }
  }

  /** Stock moves only between open stores; a transfer to or from a closed one can be rejected. */
  private async assertStoresActive(transfer: Transfer): Promise<void> {
    for (const storeId of [transfer.fromStoreId, transfer.toStoreId]) {
      const store = await this.stores.findById(storeId);
      if (!store?.active) {
        throw new DomainError(
          'INVALID_STATE',
          'A store of this transfer is inactive: reject or cancel the transfer instead',
          [{ storeId, active: false }],
        );
      }
    }
  }

  /** The one guarded statement of a transition; INVALID_STATE when it is no longer pending. */
  private async transition(
    manager: EntityManager,
    id: string,
    decision: Decision,
    status: TransferStatus,
    userId: string,
    reason: string | null,
  ): Promise<void> {
    const [rows]: [{ id: string }[], number] = await manager.query(
      `UPDATE transfers
          SET status = $2, decided_by = $3, decided_at = now(), reason = $4
        WHERE id = $1 AND status = 'pending'
      RETURNING id`,
      [id, status, userId, reason],
    );
    if (rows.length > 0) return;
    const current = await manager.findOne(Transfer, { where: { id }, select: { status: true } });
    if (!current) throw new NotFoundError('Transfer');
    throw new DomainError(
      'INVALID_STATE',
      `The transfer is ${current.status}; only a pending transfer can be ${OUTCOME[decision].status}`,
      [{ status: current.status }],
    );
  }

  /**
   * Out of the source, into the destination, both through the inventory service. The two
   * stores are touched in store-id order (and each store's rows in product-id order inside
   * `move`), so two transfers between the same stores in opposite directions cannot deadlock.
   */
  private async moveStock(
    manager: EntityManager,
    { transfer, items }: LoadedTransfer,
    userId: string,
  ): Promise<void> {
    const move = (storeId: string, sign: 1 | -1) =>
      this.inventory.move(manager, {
        storeId,
        reason: sign < 0 ? 'transfer_out' : 'transfer_in',
        lines: items.map((item) => ({ productId: item.productId, delta: sign * item.quantity })),
        referenceType: 'transfer',
        referenceId: transfer.id,
        userId,
      });
    if (transfer.fromStoreId < transfer.toStoreId) {
      await move(transfer.fromStoreId, -1);
      await move(transfer.toStoreId, 1);
    } else {
      await move(transfer.toStoreId, 1);
      await move(transfer.fromStoreId, -1);
    }
  }

  private assertUniqueProducts(dto: CreateTransferDto): void {
    const seen = new Set<string>();
    const problems: FieldProblem[] = [];
    dto.items.forEach((item, index) => {
      if (seen.has(item.productId)) {
        problems.push({
          field: `items.${index}.productId`,
          problems: ['each product may appear once: use the quantity'],
        });
      }
      seen.add(item.productId);
    });
    if (problems.length > 0) throw new ValidationFailedError(problems);
  }

  private async assertProductsExist(manager: EntityManager, dto: CreateTransferDto): Promise<void> {
    const found = await this.products.findByIds(
      manager,
      dto.items.map((item) => item.productId),
    );
    const known = new Set(found.map((product) => product.id));
    const problems = dto.items.flatMap((item, index) =>
      known.has(item.productId)
        ? []
        : [{ field: `items.${index}.productId`, problems: ['no such product'] }],
    );
    if (problems.length > 0) throw new ValidationFailedError(problems);
  }
}
