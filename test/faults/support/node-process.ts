import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../support/free-port';

const ROOT = join(__dirname, '..', '..', '..');
const DIST = join(ROOT, 'dist', 'src');

/** Settings every spawned process shares: production mode, quiet logs, fast shutdown. */
export interface ServiceEnv {
  DATABASE_URL: string;
  REDIS_URL: string;
  SMTP_URL: string;
  JWT_SECRET?: string;
  [name: string]: string | undefined;
}

export function jwtSecret(): string {
  return randomBytes(48).toString('base64');
}

/**
 * An API (`dist/src/main.js`) or worker (`dist/src/worker.js`) process as production runs it,
 * so that a test can SIGKILL it mid-request. Its output is kept for the failure message.
 */
/** How a process ended: its exit code, or the signal that killed it. */
export interface Ending {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class NodeProcess {
  private output = '';
  /** Resolves when the process has ended. */
  readonly exited: Promise<Ending>;

  private constructor(
    readonly child: ChildProcess,
    readonly name: string,
    readonly baseUrl?: string,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  static async api(env: ServiceEnv, name = 'api'): Promise<NodeProcess> {
    const port = await freePort();
    const api = new NodeProcess(
      launch('main.js', { ...env, PORT: String(port), HOST: '127.0.0.1' }),
      name,
      `http://127.0.0.1:${port}`,
    );
    await api.waitFor(async () => {
      const response = await fetch(`${api.baseUrl}/ready`).catch(() => undefined);
      return response?.ok === true;
    }, 'ready');
    return api;
  }

  static async worker(env: ServiceEnv, name = 'worker'): Promise<NodeProcess> {
    const worker = new NodeProcess(launch('worker.js', env), name);
    await worker.waitFor(async () => worker.output.includes('Worker started'), 'started');
    return worker;
  }

  get logs(): string {
    return this.output;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL: no shutdown hook runs, in-flight work is cut where it stands. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Sends a signal and returns at once (stop() waits for the drain). */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM and the graceful drain. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }

  private async waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited before ${what}:\n${this.output}`);
      if (await check()) return;
      if (Date.now() > deadline)
        throw new Error(`${this.name} not ${what} in 60 s:\n${this.output}`);
      await new Promise((wait) => setTimeout(wait, 100));
    }
  }
}

function launch(entry: string, env: Record<string, string | undefined>): ChildProcess {
  const script = join(DIST, entry);
  if (!existsSync(script))
    throw new Error(`${script} is missing: the fault tests run the build (npm run build)`);
  return spawn(process.execPath, [script], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '0',
      DATABASE_MIGRATIONS_RUN: 'false',
      JWT_SECRET: env.JWT_SECRET ?? jwtSecret(),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
