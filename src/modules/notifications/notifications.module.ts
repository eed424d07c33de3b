import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../../config/env.schema';
import { CatalogModule } from '../catalog/catalog.module';
import { StoresModule } from '../stores/stores.module';
import { UsersModule } from '../users/users.module';
import { LowStockComposer } from './low-stock-composer';
import { Mailer } from './mailer';
import { OutboxComposers } from './outbox-composers';
import {
  closeQueue,
  createNotificationsQueue,
  NOTIFICATIONS_QUEUE,
  NotificationsQueue,
} from './notifications.queue';
import { OutboxDelivery } from './outbox-delivery.service';
import { OutboxDispatcher } from './outbox-dispatcher.service';
import { OutboxPruner } from './outbox-pruner.service';
import { OutboxRelay } from './outbox-relay.service';
import { OutboxService } from './outbox.service';

/**
 * Emails through a transactional outbox. Each message type has a composer registered with
 * `OutboxComposers`: low-stock alerts here (`LowStockComposer`), other modules' types there. Other modules write messages
 * with `OutboxService.add(manager, message)` inside their transaction. After commit:
 * - with REDIS_URL, `OutboxRelay` (in every API process) moves due rows into the BullMQ queue
 *   `notifications` and the worker process (`NotificationsWorkerModule`) sends them;
 * - without it (embedded default), `OutboxDispatcher` sends them from the API process.
 * Both send through `OutboxDelivery.deliver(outboxId)`. `OutboxPruner` deletes delivered rows
 * after OUTBOX_RETENTION_DAYS.
 */
@Module({
  imports: [CatalogModule, StoresModule, UsersModule],
  providers: [
    {
      provide: NOTIFICATIONS_QUEUE,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>): NotificationsQueue | null => {
        const url = config.get('REDIS_URL', { infer: true });
        return url ? createNotificationsQueue(url) : null;
      },
    },
    Mailer,
    OutboxComposers,
    LowStockComposer,
    OutboxService,
    OutboxDelivery,
    OutboxRelay,
    OutboxDispatcher,
    OutboxPruner,
  ],
  exports: [
    OutboxService,
    OutboxComposers,
    OutboxDelivery,
    OutboxRelay,
    OutboxDispatcher,
    NOTIFICATIONS_QUEUE,
  ],
})
export class NotificationsModule implements OnApplicationShutdown {
  constructor(@Inject(NOTIFICATIONS_QUEUE) private readonly queue: NotificationsQueue | null) {}

  /** The relay stopped in `beforeApplicationShutdown`; now its connection can go. */
  async onApplicationShutdown(): Promise<void> {
    if (this.queue) await closeQueue(this.queue);
  }
}
