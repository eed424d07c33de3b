import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';
import { PrivateRedis } from '../support/redis-server';
import { SmtpSink } from '../support/smtp-sink';
import { jwtSecret } from './support/node-process';
import { PrivatePostgres } from './support/private-postgres';

const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

describe('npm start with a .env file (README: copy .env.example to .env)', () => {
  let postgres: PrivatePostgres | undefined;
  let redis: PrivateRedis | undefined;
  let smtp: SmtpSink | undefined;
  let api: ChildProcess | undefined;
  let dir: string | undefined;

  afterAll(async () => {
    if (api && api.exitCode === null) api.kill('SIGKILL');
    await Promise.allSettled([postgres?.destroy(), redis?.stop(), smtp?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('takes the database, port and settings from .env, not the embedded defaults', async () => {
    postgres = await PrivatePostgres.start();
    redis = await PrivateRedis.start();
    smtp = await SmtpSink.start();
    dir = mkdtempSync(join(tmpdir(), 'pos-env-file-'));
    chmodSync(dir, 0o755);
    const port = await freePort();
    writeFileSync(
      join(dir, '.env'),
      [
        '# as an operator writes it',
        'NODE_ENV=production',
        `PORT=${port}`,
        'HOST=127.0.0.1',
        `DATABASE_URL=${postgres.url}`,
        'DATABASE_MIGRATIONS_RUN=false',
        `REDIS_URL=${redis.url}`,
        `SMTP_URL=${smtp.url}`,
        `JWT_SECRET=${jwtSecret()}`,
        'SEED_DEMO_DATA=false',
        'SHUTDOWN_GRACE_MS=0',
        `DATA_DIR=${join(dir, 'data')}`,
        '',
      ].join('\n'),
    );
    let output = '';
    api = spawn(process.execPath, [MAIN], {
      cwd: dir,
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    api.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    api.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

    await eventually(async () => {
      if (api?.exitCode !== null) throw new Error(`the API exited:\n${output}`);
      const response = await fetch(`http://127.0.0.1:${port}/ready`);
      expect(response.status).toBe(200);
    }, 60_000);
    expect(output).not.toMatch(/embedded PostgreSQL/i);
    // It serves from the configured database, without the demo users.
    const client = new Client({ connectionString: postgres.url });
    await client.connect();
    try {
      const sessions = await client.query(
        `SELECT count(*)::int AS count FROM pg_stat_activity
          WHERE datname = current_database() AND application_name <> 'psql' AND pid <> pg_backend_pid()`,
      );
      expect(sessions.rows[0].count).toBeGreaterThan(0);
      const users = await client.query(`SELECT count(*)::int AS count FROM users`);
      expect(users.rows[0].count).toBe(0);
    } finally {
      await client.end();
    }
    const exited = new Promise<number | null>((resolve) => api?.once('exit', resolve));
    api.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);
});
