/**
 * npm run bench [-- <kind>] [--concurrency 32] [--duration 15] [--rounds 3] [--stores 20] [--products 2000] [--lines 3] [--pool 10] [--instances 1] [--profile]
 *                 npm run bench -- reports [--sale-lines 1000000] [--days 400] [--runs 30]
 *                 npm run bench -- login [--concurrency 8] [--duration 10]
 * Kinds: sales (default), reports, login. Results are printed and written under bench-results/.
 */
import 'reflect-metadata';
import { runLoginBench } from './login';
import { runReportsBench } from './reports';
import { runSalesBench } from './sales';

type Runner = (args: Map<string, string>) => Promise<void>;

const number = (args: Map<string, string>, name: string, fallback: number) => {
  const value = Number(args.get(name) ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
};

const RUNNERS: Record<string, Runner> = {
  sales: (args) =>
    runSalesBench({
      concurrency: number(args, 'concurrency', 32),
      durationSeconds: number(args, 'duration', 15),
      stores: number(args, 'stores', 20),
      products: number(args, 'products', 2000),
      lines: number(args, 'lines', 3),
      poolSize: number(args, 'pool', 10),
      instances: Math.round(number(args, 'instances', 1)),
      rounds: number(args, 'rounds', 3),
      profile: args.has('profile'),
    }),
  login: (args) =>
    runLoginBench({
      concurrency: number(args, 'concurrency', 8),
      durationSeconds: number(args, 'duration', 10),
    }),
  reports: (args) =>
    runReportsBench({
      saleLines: number(args, 'sale-lines', 1_000_000),
      days: number(args, 'days', 400),
      runs: number(args, 'runs', 30),
    }),
};

function parse(argv: string[]): { kind: string; args: Map<string, string> } {
  const args = new Map<string, string>();
  let kind = 'sales';
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) kind = argv[i];
    else if (argv[i + 1] === undefined || argv[i + 1].startsWith('--'))
      args.set(argv[i].slice(2), '');
    else args.set(argv[i].slice(2), argv[++i]);
  }
  return { kind, args };
}

const { kind, args } = parse(process.argv.slice(2));
const runner = RUNNERS[kind];
if (!runner) {
  console.error(`Unknown benchmark "${kind}". Kinds: ${Object.keys(RUNNERS).join(', ')}`);
  process.exit(2);
}
runner(args).catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
