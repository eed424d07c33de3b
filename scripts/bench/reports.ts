import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { DailyRollupService } from '../../src/modules/reports/daily-rollup.service';
import { RETURNS_GROUPS, SALES_GROUPS } from '../../src/modules/reports/report-sql';
import { createBenchDatabase } from './bench-database';
import { seedReportsFixture } from './reports-seed';

export interface ReportsBenchOptions {
  saleLines: number;
  days: number;
  runs: number;
}

const ROOT = join(__dirname, '..', '..');
const TARGET_P95_MS = 300;

interface Timing {
  runs: number;
  p50: number;
  p95: number;
  max: number;
}

function timingOf(durations: number[]): Timing {
  const sorted = [...durations].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    runs: sorted.length,
    p50: round(rank(0.5)),
    p95: round(rank(0.95)),
    max: round(rank(1)),
  };
}

async function timed(runs: number, work: () => Promise<unknown>): Promise<Timing> {
  const durations: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await work();
    durations.push(performance.now() - started);
  }
  return timingOf(durations);
}

/** The calendar month before the current one, in Nairobi: `[YYYY-MM-01, next YYYY-MM-01)`. */
function lastFullMonth(): { from: string; to: string } {
  const [year, month] = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Africa/Nairobi',
    year: 'numeric',
    month: '2-digit',
  })
    .format(new Date())
    .split('-')
    .map(Number);
  const previous = month === 1 ? [year - 1, 12] : [year, month - 1];
  const iso = ([y, m]: number[]) => `${y}-${String(m).padStart(2, '0')}-01`;
  return { from: iso(previous), to: iso([year, month]) };
}

/**
 * `npm run bench -- reports`: a fresh database with `saleLines` sale lines for one store over
 * `days` days (plus a smaller second store), the API in this process with the report cache
 * off, then the last full month's reports through HTTP `runs` times after a warm-up: first with
 * every day aggregated live, then again once the closed days are rolled up (the figures must
 * not change), and EXPLAIN (ANALYZE, BUFFERS) of the summary's statements. Fails (exit 1) when
 * the rolled-up summary's p95 is not under 300 ms.
 */
export async function runReportsBench(options: ReportsBenchOptions): Promise<void> {
  const database = await createBenchDatabase();
  let app: NestFastifyApplication | undefined;
  try {
    console.log(
      `Seeding ${options.saleLines.toLocaleString()} sale lines over ${options.days} days …`,
    );
    const seedStarted = performance.now();
    const fixture = await seedReportsFixture(database.url, options.saleLines, options.days);
    const seedSeconds = Math.round((performance.now() - seedStarted) / 100) / 10;
    console.log(`Seeded in ${seedSeconds} s`);

    Object.assign(process.env, {
      NODE_ENV: 'development',
      DATABASE_URL: database.url,
      DATABASE_MIGRATIONS_RUN: 'false',
      REPORT_CACHE_SECONDS: '0',
      REPORT_ROLLUP_INTERVAL_MS: '0',
      SEED_DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
    });
    delete process.env.REDIS_URL;
    app = await createApp();
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/api/v1`;
    const login = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: fixture.adminUsername, password: fixture.adminPassword }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const month = lastFullMonth();
    const query = `storeId=${fixture.storeId}&period=custom&from=${month.from}&to=${month.to}`;
    const get = async (path: string) => {
      const response = await fetch(`${base}/reports/${path}`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${body}`);
      return JSON.parse(body) as Record<string, unknown>;
    };

    const measure = async () => {
      await timed(5, () => get(`sales-summary?${query}`)); // warm-up
      return {
        salesSummary: await timed(options.runs, () => get(`sales-summary?${query}`)),
        topProducts: await timed(options.runs, () => get(`top-products?${query}&limit=20`)),
        cashiers: await timed(options.runs, () => get(`cashiers?${query}`)),
      };
    };
    console.log('Every day aggregated live …');
    const live = await measure();
    const liveTotals = (await get(`sales-summary?${query}`)).totals;
    console.log('Rolling up closed days …');
    const rollupStarted = performance.now();
    await app.get(DailyRollupService).rollUpAll();
    const rollupSeconds = Math.round((performance.now() - rollupStarted) / 100) / 10;
    const rolled = await measure();
    const totals = (await get(`sales-summary?${query}`)).totals;
    if (JSON.stringify(totals) !== JSON.stringify(liveTotals))
      throw new Error(
        `rolled-up totals differ from live ones: ${JSON.stringify({ liveTotals, totals })}`,
      );
    const plans = await explain(app.get(DataSource), fixture.storeId, month);
    report(options, { seedSeconds, rollupSeconds, month, totals, live, rolled, plans });
    if (rolled.salesSummary.p95 >= TARGET_P95_MS) process.exitCode = 1;
  } finally {
    await app?.close();
    await database.close();
  }
}

async function explain(
  dataSource: DataSource,
  storeId: string,
  month: { from: string; to: string },
): Promise<Record<string, string>> {
  const [{ from, to, previous_from: previousFrom }] = await dataSource.query(
    `SELECT ($1::date::timestamp AT TIME ZONE 'Africa/Nairobi') AS from,
            ($2::date::timestamp AT TIME ZONE 'Africa/Nairobi') AS to,
            (($1::date - ($2::date - $1::date))::timestamp AT TIME ZONE 'Africa/Nairobi') AS previous_from`,
    [month.from, month.to],
  );
  const periods = [[storeId], from, previousFrom, 'Africa/Nairobi', to];
  const statements: Record<string, [string, unknown[]]> = {
    // The default SALE_MAX_BACKDATE_HOURS (72), as the API runs here.
    salesGroupsLive: [SALES_GROUPS, [...periods, false, 72]],
    salesGroups: [SALES_GROUPS, [...periods, true, 72]],
    returnsGroups: [RETURNS_GROUPS, periods],
  };
  const plans: Record<string, string> = {};
  for (const [name, [sql, parameters]] of Object.entries(statements)) {
    const rows: { 'QUERY PLAN': string }[] = await dataSource.query(
      `EXPLAIN (ANALYZE, BUFFERS) ${sql}`,
      parameters,
    );
    plans[name] = rows.map((row) => row['QUERY PLAN']).join('\n');
  }
  return plans;
}

function report(
  options: ReportsBenchOptions,
  result: {
    seedSeconds: number;
    rollupSeconds: number;
    month: { from: string; to: string };
    totals: unknown;
    live: Record<string, Timing>;
    rolled: Record<string, Timing>;
    plans: Record<string, string>;
  },
): void {
  for (const [name, plan] of Object.entries(result.plans)) console.log(`\n${name}:\n${plan}`);
  console.log(`\nMonth ${result.month.from} – ${result.month.to}, totals:`, result.totals);
  console.log(
    `Seeded in ${result.seedSeconds} s, closed days rolled up in ${result.rollupSeconds} s`,
  );
  console.log('Every day aggregated live (ms):');
  console.table(result.live);
  console.log('Closed days from report_daily_sales (ms):');
  console.table(result.rolled);
  const p95 = result.rolled.salesSummary.p95;
  console.log(
    `sales-summary p95 ${p95} ms: ${p95 < TARGET_P95_MS ? 'meets' : 'MISSES'} the ${TARGET_P95_MS} ms target`,
  );
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  const file = join(ROOT, 'bench-results', `reports-${Date.now()}.json`);
  writeFileSync(
    file,
    JSON.stringify({ kind: 'reports', at: new Date().toISOString(), options, ...result }, null, 2),
  );
  console.log(`Wrote ${file}`);
}
