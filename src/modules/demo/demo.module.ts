import { Module } from '@nestjs/common';
import { StoresModule } from '../stores/stores.module';
import { UsersModule } from '../users/users.module';
import { DemoSeeder } from './demo-seeder.service';

@Module({
  imports: [StoresModule, UsersModule],
  providers: [DemoSeeder],
  exports: [DemoSeeder],
})
export class DemoModule {}
