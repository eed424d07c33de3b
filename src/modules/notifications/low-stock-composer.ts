import { Injectable, OnModuleInit } from '@nestjs/common';
import { ProductsService } from '../catalog/products.service';
import { StoresService } from '../stores/stores.service';
import { UsersService } from '../users/users.service';
import { renderLowStockEmail } from './low-stock-email';
import { ComposedEmail, NothingToSend, OutboxComposers, uniqueAddresses } from './outbox-composers';
import type { LowStockPayload } from './outbox-message';

/**
 * The low-stock alert (written by inventory when stock crosses its reorder level): to the
 * store's lowStockEmails and the managers of the store, rendered as of when the stock moved.
 */
@Injectable()
export class LowStockComposer implements OnModuleInit {
  constructor(
    private readonly composers: OutboxComposers,
    private readonly stores: StoresService,
    private readonly products: ProductsService,
    private readonly users: UsersService,
  ) {}

  onModuleInit(): void {
    this.composers.register('low_stock', (payload, createdAt) => this.compose(payload, createdAt));
  }

  async compose(
    payload: LowStockPayload,
    occurredAt: Date,
  ): Promise<ComposedEmail | NothingToSend> {
    const [store, product, managers] = await Promise.all([
      this.stores.findById(payload.storeId),
      this.products.findById(payload.productId),
      this.users.managerEmails(payload.storeId),
    ]);
    if (!store) return new NothingToSend(`store ${payload.storeId} not found`);
    if (!product) return new NothingToSend(`product ${payload.productId} not found`);
    const to = uniqueAddresses([...(store.lowStockEmails ?? []), ...managers]);
    if (to.length === 0) {
      return new NothingToSend(
        `no recipients: store ${store.code} has no lowStockEmails and no manager with an email`,
      );
    }
    const email = renderLowStockEmail({
      store: { name: store.name, code: store.code, timeZone: store.timeZone },
      product: { name: product.name, sku: product.sku },
      quantity: payload.quantity,
      reorderLevel: payload.reorderLevel,
      occurredAt,
    });
    return { ...email, to };
  }
}
