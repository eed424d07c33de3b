import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool, PoolConfig } from 'pg';
import { SMTPServer } from 'smtp-server';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { freePort } from '../../test/support/free-port';
import { createBenchDatabase } from './bench-database';
import { BenchHttpClient } from './http-client';
import { checkIntegrity } from './integrity';
import { LoadResult, LoadRun, runLoad, summarizeLoad } from './load';
import { RawMode, rawSale } from './raw-sale';
import { SalesFixture, seedSalesFixture, settleDatabase } from './sales-seed';

export interface SalesBenchOptions {
  concurrency: number;
  durationSeconds: number;
  stores: number;
  products: number;
  lines: number;
  /** Connections in all, shared out between the API instances. */
  poolSize: number;
  /** API processes, each on its own port; the clients are dealt out between them. */
  instances: number;
  /** The duration is split into this many stretches per side, the sides taking turns. */
  rounds: number;
  /** Write a V8 CPU profile of the API process under bench-results/profiles/. */
  profile: boolean;
}

const ROOT = join(__dirname, '..', '..');
/** Each side runs this long before it is measured (connections, caches, JIT). */
const WARMUP_MS = 8000;
/** Each stretch of a side starts with this much unmeasured load. */
const RESUME_MS = 1000;

function pick<T>(items: T[], count: number): T[] {
  const chosen = new Set<T>();
  while (chosen.size < count) chosen.add(items[Math.floor(Math.random() * items.length)]);
  return [...chosen];
}

export async function startApi(
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; baseUrl: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist', 'src', 'main.js')], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited with code ${child.exitCode}`);
    const ready = await fetch(`${baseUrl}/ready`)
      .then((response) => response.ok)
      .catch(() => false);
    if (ready) return { child, baseUrl };
    if (Date.now() > deadline) throw new Error('the API did not become ready within 60 s');
    await new Promise((wait) => setTimeout(wait, 200));
  }
}

/** SIGTERM, then wait for the process to exit (before its database is dropped). */
export function stopApi(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

export async function runSalesBench(options: SalesBenchOptions): Promise<void> {
  const database = await createBenchDatabase();
  const mail = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData: (stream, _s, done) => stream.resume().on('end', () => done()),
  });
  await new Promise<void>((resolve) => mail.listen(0, '127.0.0.1', resolve));
  const smtpPort = (mail.server.address() as { port: number }).port;
  const apis: ChildProcess[] = [];
  try {
    console.log(`Seeding ${options.stores} stores × ${options.products} products …`);
    const fixture = await seedSalesFixture(database.url, options.stores, options.products);
    // The API's connection settings (statement, lock and idle-in-transaction timeouts): PostgreSQL
    // pays for them on every statement, and they belong to the database's work, not the API's.
    const { extra } = buildDataSourceOptions({ url: database.url }) as { extra: PoolConfig };
    await recordSalesHistory(options, database.url, extra, fixture);
    await settleDatabase(database.url);
    const apiEnv = {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      DATABASE_MIGRATIONS_RUN: 'false',
      DATABASE_POOL_SIZE: String(Math.ceil(options.poolSize / options.instances)),
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      JWT_SECRET: randomBytes(48).toString('base64'),
      LOG_LEVEL: 'warn',
      LOGIN_IP_LIMIT: '100000',
      SHUTDOWN_GRACE_MS: '0',
    };
    const profileArgs = ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench-results', 'profiles')}`];
    const baseUrls: string[] = [];
    for (let instance = 0; instance < options.instances; instance++) {
      const started = await startApi(apiEnv, options.profile ? profileArgs : []);
      apis.push(started.child);
      baseUrls.push(started.baseUrl);
    }
    const tokens: string[] = [];
    for (const store of fixture.stores) {
      const response = await fetch(`${baseUrls[0]}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: store.cashierUsername,
          password: fixture.cashierPassword,
        }),
      });
      tokens.push(((await response.json()) as { accessToken: string }).accessToken);
    }

    const clients = baseUrls.map((url) => new BenchHttpClient(url, options.concurrency));
    const apiSale = async (worker: number) => {
      const storeIndex = worker % fixture.stores.length;
      const response = await clients[worker % clients.length].post(
        '/api/v1/sales',
        {
          authorization: `Bearer ${tokens[storeIndex]}`,
          'idempotency-key': randomUUID(),
        },
        JSON.stringify({
          storeId: fixture.stores[storeIndex].id,
          items: pick(fixture.productIds, options.lines).map((productId) => ({
            productId,
            quantity: 1,
          })),
          payments: [{ method: 'cash', amount: 100_000_000 }],
        }),
      );
      if (response.status !== 201) throw new Error(`HTTP ${response.status}: ${response.text}`);
    };
    const pools = {
      sequential: new Pool({ ...extra, connectionString: database.url, max: options.poolSize }),
      batched: new Pool({ ...extra, connectionString: database.url, max: options.poolSize }),
    };
    const rawSaleIn = (mode: RawMode) => (worker: number) =>
      rawSale(pools[mode], rawSaleInput(options, fixture, worker % fixture.stores.length), mode);
    const sides: Record<Side, (worker: number) => Promise<void>> = {
      api: apiSale,
      'raw sequential': rawSaleIn('sequential'),
      'raw batched': rawSaleIn('batched'),
    };
    let measured: Record<Side, LoadRun[]>;
    let apiWarmup: LoadRun;
    try {
      [apiWarmup] = await warmUp(options, sides);
      measured = await measureInRounds(options, sides);
    } finally {
      for (const client of clients) client.close();
      await Promise.all([pools.sequential.end(), pools.batched.end()]);
    }
    await Promise.all(apis.splice(0).map(stopApi));

    const results = {
      api: summarizeLoad(measured.api),
      sequential: summarizeLoad(measured['raw sequential']),
      batched: summarizeLoad(measured['raw batched']),
    };
    const integrity = await checkIntegrity(database.url);
    report(options, results, integrity);
    if (apiWarmup.errors > 0) console.log('API errors during warm-up:', apiWarmup.errorSamples);
    if (!integrity.ok || results.api.errors + apiWarmup.errors > 0) process.exitCode = 1;
  } finally {
    await Promise.all(apis.map(stopApi));
    mail.close();
    await database.close();
  }
}

type Side = 'api' | 'raw sequential' | 'raw batched';

/** Each side's connections, caches and JIT, before anything is measured. */
async function warmUp(
  options: SalesBenchOptions,
  sides: Record<Side, (worker: number) => Promise<void>>,
): Promise<LoadRun[]> {
  console.log(`Warm-up: ${WARMUP_MS / 1000} s per side …`);
  const runs: LoadRun[] = [];
  for (const attempt of Object.values(sides))
    runs.push(await runLoad(options.concurrency, WARMUP_MS, attempt));
  return runs;
}

/**
 * The sides take turns in short stretches, so that a slow minute of a shared machine, and the
 * database growing as sales pile up, fall on all of them alike.
 */
async function measureInRounds(
  options: SalesBenchOptions,
  sides: Record<Side, (worker: number) => Promise<void>>,
): Promise<Record<Side, LoadRun[]>> {
  const stretchMs = (options.durationSeconds * 1000) / options.rounds;
  const measured: Record<Side, LoadRun[]> = {
    api: [],
    'raw sequential': [],
    'raw batched': [],
  };
  for (let round = 1; round <= options.rounds; round++) {
    console.log(
      `Round ${round}/${options.rounds}: ${options.concurrency} clients, ${stretchMs / 1000} s per side …`,
    );
    for (const [side, attempt] of Object.entries(sides) as [Side, typeof sides.api][]) {
      // A side idle for two stretches starts again unmeasured (HTTP keep-alive sockets closed
      // by the server, caches), but its errors count.
      const resumed = await runLoad(options.concurrency, RESUME_MS, attempt);
      const run = await runLoad(options.concurrency, stretchMs, attempt);
      measured[side].push({
        ...run,
        errors: resumed.errors + run.errors,
        errorSamples: [...resumed.errorSamples, ...run.errorSamples],
      });
    }
  }
  return measured;
}

const HISTORY_SALES_PER_STORE = 50;

/**
 * A chain's database is never empty: each store gets some sales history (written the raw way)
 * before either side is measured. On empty sales tables, the first connections cache generic
 * plans that scan `sales` sequentially for the foreign-key checks of every line and payment, and
 * keep them as the table grows: whichever side ran first paid a cost that rose with every sale.
 */
async function recordSalesHistory(
  options: SalesBenchOptions,
  url: string,
  extra: PoolConfig,
  fixture: SalesFixture,
): Promise<void> {
  const pool = new Pool({ ...extra, connectionString: url, max: options.poolSize });
  let remaining = fixture.stores.length * HISTORY_SALES_PER_STORE;
  try {
    await Promise.all(
      Array.from({ length: options.poolSize }, async () => {
        while (remaining-- > 0) {
          const input = rawSaleInput(options, fixture, remaining % fixture.stores.length);
          await rawSale(pool, input, 'sequential');
        }
      }),
    );
  } finally {
    await pool.end();
  }
}

function rawSaleInput(options: SalesBenchOptions, fixture: SalesFixture, storeIndex: number) {
  const store = fixture.stores[storeIndex];
  return {
    storeId: store.id,
    storeCode: store.code,
    cashierId: store.cashierId,
    productIds: pick(fixture.productIds, options.lines),
  };
}

function report(
  options: SalesBenchOptions,
  results: { api: LoadResult; sequential: LoadResult; batched: LoadResult },
  integrity: object,
): void {
  const { api: apiResult, ...raw } = results;
  const ratioTo = (side: LoadResult) =>
    side.perSecond > 0 ? Math.round((apiResult.perSecond / side.perSecond) * 100) / 100 : 0;
  const ratio = ratioTo(raw.sequential);
  const ratioBatched = ratioTo(raw.batched);
  const summary = {
    kind: 'sales',
    at: new Date().toISOString(),
    options,
    api: apiResult,
    raw: raw.sequential,
    rawBatched: raw.batched,
    ratio,
    ratioBatched,
    integrity,
  };
  const row = (result: LoadResult) => ({
    'sales/s': result.perSecond,
    p50: result.latencyMs.p50,
    p95: result.latencyMs.p95,
    p99: result.latencyMs.p99,
    errors: result.errors,
  });
  console.table({
    api: row(apiResult),
    'raw sequential': row(raw.sequential),
    'raw batched': row(raw.batched),
  });
  console.log(
    `API / raw SQL: ${ratio} (statement by statement), ${ratioBatched} (in the API's batches)   integrity: ${JSON.stringify(integrity)}`,
  );
  if (apiResult.errorSamples.length > 0) console.log('API errors:', apiResult.errorSamples);
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  const file = join(ROOT, 'bench-results', `sales-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(summary, null, 2));
  console.log(`Wrote ${file}`);
}
