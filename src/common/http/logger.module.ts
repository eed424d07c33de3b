import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { Env } from '../../config/env.schema';
import { LogFiles } from './log-files';
import { loggerOptions } from './logger.options';

export function loggerModule() {
  return LoggerModule.forRootAsync({
    providers: [LogFiles],
    inject: [ConfigService, LogFiles],
    useFactory: (config: ConfigService<Env, true>, files: LogFiles) =>
      loggerOptions(
        {
          NODE_ENV: config.get('NODE_ENV', { infer: true }),
          LOG_LEVEL: config.get('LOG_LEVEL', { infer: true }),
          LOG_DIR: config.get('LOG_DIR', { infer: true }),
        },
        files,
      ),
  });
}
