import { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { validateEnv } from './env.schema';

/**
 * Loads and validates the environment; `ConfigService<Env, true>` is then available everywhere.
 * Built when called (not at import), so that `main.ts` can point DATABASE_URL at the embedded
 * database first.
 */
export function configModule(): Promise<DynamicModule> {
  return ConfigModule.forRoot({
    isGlobal: true,
    cache: true,
    ignoreEnvFile: process.env.NODE_ENV === 'test',
    validate: validateEnv,
  });
}
