import { Module } from '@nestjs/common';
import { PrincipalCache } from './principal-cache';
import { SessionsService } from './sessions.service';

/** Kept apart from AuthModule so that UsersModule can revoke sessions without a cycle. */
@Module({
  providers: [SessionsService, PrincipalCache],
  exports: [SessionsService],
})
export class SessionsModule {}
