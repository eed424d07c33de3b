import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { StoresModule } from '../stores/stores.module';
import { UsersModule } from '../users/users.module';
import { TransferEmails } from './transfer-emails.service';
import { TransferReader } from './transfer-reader';

/**
 * The part of transfers every process that sends notifications needs: reading transfers and
 * composing their emails (registered with NotificationsModule's `OutboxComposers`). Loaded by
 * TransfersModule in the API and by the worker's NotificationsWorkerModule. It depends on
 * notifications, never the other way round.
 */
@Module({
  imports: [CatalogModule, NotificationsModule, StoresModule, UsersModule],
  providers: [TransferReader, TransferEmails],
  exports: [TransferReader],
})
export class TransferNotificationsModule {}
