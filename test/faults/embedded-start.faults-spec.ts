import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';

const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

/** An address of this machine that other machines reach it on (not loopback). */
function networkAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === 'IPv4' && !address.internal)?.address;
}

/**
 * `npm start` with nothing configured: the embedded PostgreSQL and the demo data, whose logins
 * (admin / demo-admin-pass) the README publishes. Reachable from the network, anyone on the
 * shop's Wi-Fi could sign in as admin.
 */
describe('npm start on the embedded defaults', () => {
  let dir: string;
  let api: ChildProcess | undefined;
  let output = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pos-start-'));
    chmodSync(dir, 0o755); // the embedded server may run as the `postgres` user
  });
  afterEach(async () => {
    // After a failed test: stop it as Ctrl-C does, so the embedded PostgreSQL stops with it.
    if (!api || api.exitCode !== null || api.signalCode !== null) return;
    const exited = new Promise((resolve) => api?.once('exit', resolve));
    api.kill('SIGINT');
    const killer = setTimeout(() => api?.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
  }, 40_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function start(port: number, extra: Record<string, string> = {}): Promise<void> {
    output = '';
    api = spawn(process.execPath, [MAIN], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        EMBEDDED_DATABASE_PORT: String(await freePort()),
        DATA_DIR: join(dir, 'data'),
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    api.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    api.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(async () => {
      if (api?.exitCode !== null) throw new Error(`the API exited:\n${output}`);
      expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
    }, 90_000);
  }

  async function interrupt(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => api?.once('exit', resolve));
    api?.kill('SIGINT');
    return exited;
  }

  it('listens on loopback only while the demo logins exist, and says how to open it', async () => {
    const address = networkAddress();
    expect(address).toBeDefined();
    const port = await freePort();
    await start(port);

    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'demo-admin-pass' }),
    });
    expect(login.status).toBe(200);
    await expect(fetch(`http://${address}:${port}/ready`)).rejects.toMatchObject({
      cause: { code: 'ECONNREFUSED' },
    });
    expect(output).toContain('Listening on 127.0.0.1 only');
    expect(await interrupt()).toBe(0);
  }, 150_000);

  it('listens on every interface when HOST says so', async () => {
    expect(networkAddress()).toBeDefined();
    const port = await freePort();
    await start(port, { HOST: '0.0.0.0' });

    expect((await fetch(`http://${networkAddress()}:${port}/ready`)).status).toBe(200);
    expect(output).not.toContain('Listening on 127.0.0.1 only');
    expect(await interrupt()).toBe(0);
  }, 150_000);
});
