import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { NotificationsModule } from '../notifications/notifications.module';
import { HealthController } from './health.controller';
import { HealthIndicators } from './health.indicators';
import { ShutdownState } from './shutdown-state';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), NotificationsModule],
  controllers: [HealthController],
  providers: [HealthIndicators, ShutdownState],
  exports: [ShutdownState],
})
export class HealthModule {}
