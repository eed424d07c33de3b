import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres';
import { freePort } from '../support/free-port';

describe('EmbeddedPostgres and a lock file it finds (postmaster.pid)', () => {
  let dir: string;
  const servers: EmbeddedPostgres[] = [];
  let unrelated: ChildProcess | undefined;

  const server = async () => {
    const created = new EmbeddedPostgres({
      dataDir: join(dir, 'data'),
      port: await freePort(),
      database: 'postgres',
      settings: { fsync: 'off' },
    });
    servers.push(created);
    return created;
  };
  const answers = async (running: EmbeddedPostgres) => {
    const client = new Client({ connectionString: running.adminUrl() });
    await client.connect();
    await client.end();
  };
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pos-embedded-'));
    chmodSync(dir, 0o755); // the server may run as the `postgres` user
  });
  afterEach(async () => {
    for (const running of servers.splice(0)) await running.stop();
    unrelated?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a data directory whose server belongs to another running process, and leaves it running', async () => {
    const first = await server();
    await first.start();
    await expect((await server()).start()).rejects.toThrow(/belongs to a running process/);
    await answers(first);
  });

  it('leaves alone a live process that the stale file names (its PID reused), and starts', async () => {
    const first = await server();
    await first.start();
    await first.stop();
    unrelated = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pid = unrelated.pid as number;
    writeFileSync(join(dir, 'data', 'postmaster.pid'), `${pid}\n${join(dir, 'data')}\n`);
    const second = await server();
    await second.start();
    await answers(second);
    expect(alive(pid)).toBe(true);
  });
});

describe('EmbeddedPostgres.stop()', () => {
  let dir: string;
  let running: EmbeddedPostgres;
  const log = () => readFileSync(join(dir, 'data', 'server.log'), 'utf8');

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pos-embedded-'));
    chmodSync(dir, 0o755);
    running = new EmbeddedPostgres({
      dataDir: join(dir, 'data'),
      port: await freePort(),
      database: 'postgres',
      settings: { fsync: 'off' },
    });
    await running.start();
  });
  afterEach(async () => {
    await running.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets sessions that are closing end by themselves (a pool just ended), logging no error', async () => {
    const clients = [1, 2, 3].map(() => new Client({ connectionString: running.adminUrl() }));
    await Promise.all(clients.map((client) => client.connect()));
    const closing = Promise.all(clients.map((client) => client.end())); // not awaited first
    await running.stop();
    await closing;
    expect(log()).toContain('received smart shutdown request');
    expect(log()).not.toContain('terminating connection due to administrator command');
  });

  it('rolls back a session still open after 5 s, and stops', async () => {
    const client = new Client({ connectionString: running.adminUrl() });
    client.on('error', () => undefined); // the server ends it
    await client.connect();
    await client.query('BEGIN');
    const started = Date.now();
    await running.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
    expect(log()).toContain('received fast shutdown request');
    await client.end().catch(() => undefined);
  });
});
