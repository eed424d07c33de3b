import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
// Registers the transfer email composers (it imports NotificationsModule, not the reverse).
import { TransferNotificationsModule } from '../transfers/transfer-notifications.module';
import { NOTIFICATIONS_QUEUE_NAME } from './notifications.queue';
import { NotificationsModule } from './notifications.module';
import { NotificationsProcessor } from './notifications.processor';

/**
 * The worker process' part: the BullMQ processor of the `notifications` queue, with the modules
 * that register email composers for their own outbox messages (transfers). It needs
 * `BullModule.forRoot…` (connection with `maxRetriesPerRequest: null`, prefix) from WorkerModule.
 */
@Module({
  imports: [
    BullModule.registerQueue({ name: NOTIFICATIONS_QUEUE_NAME }),
    NotificationsModule,
    TransferNotificationsModule,
    // Alerts on jobs that failed their last attempt, and the composer of those emails.
    AlertsModule,
  ],
  providers: [NotificationsProcessor],
})
export class NotificationsWorkerModule {}
