import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CatalogModule } from '../catalog/catalog.module';
import { InventoryModule } from '../inventory/inventory.module';
import { StoresModule } from '../stores/stores.module';
import { IdempotencyCleanup } from './idempotency-cleanup.service';
import { SaleReader } from './sale-reader';
import { SaleReturnsService } from './sale-returns.service';
import { SalesController } from './sales.controller';
import { SalesService } from './sales.service';

@Module({
  imports: [AuditModule, CatalogModule, InventoryModule, StoresModule],
  controllers: [SalesController],
  providers: [SalesService, SaleReader, SaleReturnsService, IdempotencyCleanup],
  exports: [SalesService],
})
export class SalesModule {}
