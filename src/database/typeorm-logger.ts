import { Logger as NestLogger } from '@nestjs/common';
import type { Logger } from 'typeorm';

/**
 * TypeORM's messages through the application's logger (JSON lines with the rest), never with
 * query parameters: they carry password hashes, emails and phone numbers. A failed query is
 * logged at debug level only, because the application maps expected failures (a unique
 * violation, a lock timeout) to answers and logs the unexpected ones itself, with the SQL text.
 */
export class TypeOrmLogger implements Logger {
  private readonly logger = new NestLogger('TypeORM');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    const message = typeof error === 'string' ? error : error.message;
    this.logger.debug(`query failed: ${message} -- ${query}`);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`slow query (${time} ms): ${query}`);
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  /** TypeORM's warnings; its notes (which files it loaded, …) are left out, as before. */
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}
