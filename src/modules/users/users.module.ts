import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { SessionsModule } from '../auth/sessions.module';
import { StoresModule } from '../stores/stores.module';
import { AdminBootstrap } from './admin-bootstrap.service';
import { PasswordHasher } from './password-hasher';
import { UserCredentials } from './user-credentials.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [AuditModule, SessionsModule, StoresModule],
  controllers: [UsersController],
  providers: [UsersService, UserCredentials, PasswordHasher, AdminBootstrap],
  exports: [UsersService, UserCredentials, PasswordHasher],
})
export class UsersModule {}
