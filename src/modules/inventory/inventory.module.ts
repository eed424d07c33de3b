import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CatalogModule } from '../catalog/catalog.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { StoresModule } from '../stores/stores.module';
import { InventoryReadService } from './inventory-read.service';
import { InventoryController } from './inventory.controller';
import { InventoryService } from './inventory.service';
import { StockAdjustmentsService } from './stock-adjustments.service';

@Module({
  imports: [AuditModule, CatalogModule, NotificationsModule, StoresModule],
  controllers: [InventoryController],
  providers: [InventoryService, InventoryReadService, StockAdjustmentsService],
  exports: [InventoryService],
})
export class InventoryModule {}
