import { Module } from '@nestjs/common';
import { SessionsService } from './sessions.service';

/** Kept apart from AuthModule so that UsersModule can revoke sessions without a cycle. */
@Module({
  providers: [SessionsService],
  exports: [SessionsService],
})
export class SessionsModule {}
