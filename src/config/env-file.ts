import { existsSync } from 'node:fs';

/**
 * Loads `.env` from the working directory into process.env (variables the environment already
 * sets win), before `main.ts` and `worker.ts` read their configuration: they decide on the
 * database, the port, demo data and the proxy settings before ConfigModule reads the same file.
 * Skipped under NODE_ENV=test, as ConfigModule skips it.
 */
export function loadEnvFile(path = '.env'): void {
  if (process.env.NODE_ENV === 'test' || !existsSync(path)) return;
  process.loadEnvFile(path);
}
