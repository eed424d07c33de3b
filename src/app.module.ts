import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { loggerModule } from './common/http/logger.module';
import { InvalidationModule } from './common/redis/invalidation-bus';
import { RedisModule } from './common/redis/redis.module';
import { configModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AlertsModule } from './modules/alerts/alerts.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { CatalogModule } from './modules/catalog/catalog.module';
import { DemoModule } from './modules/demo/demo.module';
import { HealthModule } from './modules/health/health.module';
import { InventoryModule } from './modules/inventory/inventory.module';
import { SalesModule } from './modules/sales/sales.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { ReportsModule } from './modules/reports/reports.module';
import { StoresModule } from './modules/stores/stores.module';
import { TransfersModule } from './modules/transfers/transfers.module';
import { UsersModule } from './modules/users/users.module';

@Module({})
export class AppModule {
  static forRoot(extraImports: ModuleMetadata['imports'] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        configModule(),
        loggerModule(),
        DatabaseModule,
        RedisModule,
        InvalidationModule,
        HealthModule,
        AuditModule,
        AuthModule,
        UsersModule,
        StoresModule,
        CatalogModule,
        InventoryModule,
        SalesModule,
        TransfersModule,
        ReportsModule,
        NotificationsModule,
        AlertsModule,
        DemoModule,
        ...extraImports,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
