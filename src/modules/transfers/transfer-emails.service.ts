import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../../common/errors/domain-error';
import { ProductsService } from '../catalog/products.service';
import {
  ComposedEmail,
  NothingToSend,
  OutboxComposers,
  uniqueAddresses,
} from '../notifications/outbox-composers';
import { StoresService } from '../stores/stores.service';
import type { UserResponse } from '../users/dto/user.dto';
import { UsersService } from '../users/users.service';
import { renderTransferEmail } from './transfer-email';
import { TransferReader } from './transfer-reader';

/**
 * Turns `transfer_requested` / `transfer_decided` outbox messages into emails for the requester
 * and the source store's managers. The messages carry the transfer id only: everything is read
 * again when the email is sent. Registered with the notifications module at startup.
 */
@Injectable()
export class TransferEmails implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly composers: OutboxComposers,
    private readonly reader: TransferReader,
    private readonly stores: StoresService,
    private readonly products: ProductsService,
    private readonly users: UsersService,
  ) {}

  onModuleInit(): void {
    this.composers.register('transfer_requested', ({ transferId }) =>
      this.compose(transferId, 'requested'),
    );
    this.composers.register('transfer_decided', ({ transferId }) =>
      this.compose(transferId, 'decided'),
    );
  }

  async compose(
    transferId: string,
    event: 'requested' | 'decided',
  ): Promise<ComposedEmail | NothingToSend> {
    const loaded = await this.reader.load(this.dataSource.manager, transferId);
    if (!loaded) return new NothingToSend(`transfer ${transferId} not found`);
    const { transfer, items } = loaded;
    const [from, to, products, requester, decider, managers] = await Promise.all([
      this.stores.findById(transfer.fromStoreId),
      this.stores.findById(transfer.toStoreId),
      this.products.findByIds(
        this.dataSource.manager,
        items.map((item) => item.productId),
      ),
      this.user(transfer.requestedBy),
      transfer.decidedBy ? this.user(transfer.decidedBy) : Promise.resolve(null),
      this.users.managerEmails(transfer.fromStoreId),
    ]);
    if (!from || !to) return new NothingToSend(`a store of transfer ${transferId} is gone`);
    const recipients = uniqueAddresses([
      ...(requester?.active && requester.email ? [requester.email] : []),
      ...managers,
    ]);
    if (recipients.length === 0) {
      return new NothingToSend(
        `no recipients: the requester has no email and store ${from.code} no manager with one`,
      );
    }
    const productById = new Map(products.map((product) => [product.id, product]));
    const email = renderTransferEmail({
      event,
      transferId,
      status: transfer.status,
      from: { code: from.code, name: from.name, timeZone: from.timeZone },
      to: { code: to.code, name: to.name },
      items: items.map((item) => ({
        sku: productById.get(item.productId)?.sku ?? '?',
        name: productById.get(item.productId)?.name ?? item.productId,
        quantity: item.quantity,
      })),
      note: transfer.note,
      reason: transfer.reason,
      requestedBy: displayName(requester, transfer.requestedBy),
      requestedAt: transfer.createdAt,
      decidedBy: transfer.decidedBy ? displayName(decider, transfer.decidedBy) : null,
      decidedAt: transfer.decidedAt,
    });
    return { ...email, to: recipients };
  }

  private async user(id: string): Promise<UserResponse | null> {
    try {
      return await this.users.get(id);
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }
}

function displayName(user: UserResponse | null, fallback: string): string {
  return user ? `${user.fullName} (${user.username})` : fallback;
}
