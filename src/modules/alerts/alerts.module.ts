import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { ErrorAlerts } from './error-alerts.service';

/**
 * Error alerts for ADMIN_EMAILS (production only). Loaded by the API (the exception filter reports
 * HTTP 500s) and by the worker (the processor reports jobs that failed their last attempt); both
 * can deliver `error_alert` outbox rows, whose composer this module registers. It depends on
 * notifications, never the other way round.
 */
@Module({
  imports: [NotificationsModule],
  providers: [ErrorAlerts],
  exports: [ErrorAlerts],
})
export class AlertsModule {}
