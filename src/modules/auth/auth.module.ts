import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { OptionalRedis, REDIS } from '../../common/redis/redis.module';
import type { Env } from '../../config/env.schema';
import { AuditModule } from '../audit/audit.module';
import { UsersModule } from '../users/users.module';
import { AccessTokenVerifier } from './access-token-verifier';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { LoginAttempts } from './login-attempts';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { RolesGuard } from './roles.guard';
import { SessionCleanup } from './session-cleanup.service';
import { SessionsModule } from './sessions.module';

@Module({
  imports: [
    AuditModule,
    SessionsModule,
    UsersModule,
    JwtModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => ({
        // A KeyObject made once: given a string, jsonwebtoken first tries to parse it as a
        // public key on every verification (an exception per request, ~8% of a sale's CPU).
        secret: createSecretKey(config.getOrThrow('JWT_SECRET', { infer: true }), 'utf8'),
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
    // The per-IP limit on login and refresh, across usernames (applied with @UseGuards there).
    ThrottlerModule.forRootAsync({
      inject: [ConfigService, REDIS],
      useFactory: (config: ConfigService<Env, true>, redis: OptionalRedis) => ({
        throttlers: [
          {
            ttl: config.get('LOGIN_IP_WINDOW_SECONDS', { infer: true }) * 1000,
            limit: config.get('LOGIN_IP_LIMIT', { infer: true }),
          },
        ],
        storage: redis ? new RedisThrottlerStorage(redis) : undefined,
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AccessTokenVerifier,
    AuthService,
    LoginAttempts,
    SessionCleanup,
    // Order matters: authenticate first, then check roles.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
})
export class AuthModule {}
