import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { NOTIFICATIONS_QUEUE_NAME } from './notifications.queue';
import { NotificationsModule } from './notifications.module';
import { NotificationsProcessor } from './notifications.processor';

/**
 * The worker process' part: the BullMQ processor of the `notifications` queue. It needs
 * `BullModule.forRoot…` (connection with `maxRetriesPerRequest: null`, prefix) from WorkerModule.
 */
@Module({
  imports: [BullModule.registerQueue({ name: NOTIFICATIONS_QUEUE_NAME }), NotificationsModule],
  providers: [NotificationsProcessor],
})
export class NotificationsWorkerModule {}
