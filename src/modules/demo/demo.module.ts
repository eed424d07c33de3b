import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { InventoryModule } from '../inventory/inventory.module';
import { StoresModule } from '../stores/stores.module';
import { UsersModule } from '../users/users.module';
import { DemoSeeder } from './demo-seeder.service';

@Module({
  imports: [StoresModule, UsersModule, CatalogModule, InventoryModule],
  providers: [DemoSeeder],
  exports: [DemoSeeder],
})
export class DemoModule {}
