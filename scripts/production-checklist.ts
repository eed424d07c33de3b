/**
 * The production checklist of DEPLOYMENT.md, as checks `npm run check:prod` can run: pure
 * functions of the environment and a few facts gathered by the caller (unit-tested), and the
 * facts a live database and Redis report (`liveFacts`).
 */
import {
  DEVELOPMENT_JWT_SECRET,
  EXAMPLE_JWT_SECRET,
  InvalidConfigurationError,
  validateEnv,
} from '../src/config/env.schema';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  item: string;
  status: CheckStatus;
  detail: string;
}

type RawEnv = Record<string, string | undefined>;

/** The newest backup in BACKUP_DIR, as the caller found it on disk. */
export interface BackupFacts {
  dirExists: boolean;
  newest?: { name: string; modifiedAt: Date };
}

/** What the database and Redis of the environment say about themselves (null: not asked). */
export interface LiveFacts {
  database?: DatabaseRoleFacts | { error: string };
  redis?: { maxmemoryPolicy: string | null } | { error: string };
}

export interface DatabaseRoleFacts {
  role: string;
  superuser: boolean;
  /** Append-only tables this role owns (an owner can drop or disable their triggers). */
  ownsLedgers: string[];
  /** Append-only tables on which this role may UPDATE, DELETE or TRUNCATE. */
  mayRewriteLedgers: string[];
}

export const BACKUP_MAX_AGE_HOURS = 26;

/** Passwords seen in examples, defaults and tutorials. */
const WEAK_PASSWORDS = new Set([
  'postgres',
  'password',
  'pass',
  'secret',
  'admin',
  'root',
  'pos',
  'changeme',
  'change-this-password',
  'ci-only-not-a-secret',
  '123456',
  '12345678',
]);

const pass = (item: string, detail: string): CheckResult => ({ item, status: 'pass', detail });
const warn = (item: string, detail: string): CheckResult => ({ item, status: 'warn', detail });
const fail = (item: string, detail: string): CheckResult => ({ item, status: 'fail', detail });

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function parseUrl(value: string | undefined): URL | undefined {
  try {
    return value ? new URL(value) : undefined;
  } catch {
    return undefined;
  }
}

export function checkConfiguration(env: RawEnv): CheckResult {
  try {
    validateEnv(env);
    return pass('configuration', 'every variable is valid (the API would start)');
  } catch (error) {
    if (!(error instanceof InvalidConfigurationError)) throw error;
    return fail('configuration', error.problems.join('; '));
  }
}

export function checkProductionMode(env: RawEnv): CheckResult {
  return env.NODE_ENV === 'production'
    ? pass('production mode', 'NODE_ENV=production')
    : fail('production mode', `NODE_ENV is '${env.NODE_ENV ?? 'development'}': set production`);
}

export function checkJwtSecret(env: RawEnv): CheckResult {
  const secret = env.JWT_SECRET ?? '';
  if (!secret) return fail('JWT secret', 'JWT_SECRET is not set: openssl rand -base64 48');
  if (secret === EXAMPLE_JWT_SECRET || secret === DEVELOPMENT_JWT_SECRET)
    return fail('JWT secret', 'JWT_SECRET is the example value: openssl rand -base64 48');
  if (secret.length < 32) return fail('JWT secret', `only ${secret.length} characters (32+)`);
  if (new Set(secret).size < 12)
    return fail('JWT secret', 'too few distinct characters to be random: openssl rand -base64 48');
  return pass('JWT secret', `${secret.length} characters`);
}

export function checkAllowedOrigins(env: RawEnv): CheckResult {
  const origins = list(env.CORS_ORIGINS);
  if (origins.length === 0)
    return fail('allowed origins', 'CORS_ORIGINS is empty: browsers get no CORS access at all');
  const bad = origins.filter((origin) => {
    const url = parseUrl(origin);
    return !url || url.protocol !== 'https:' || url.hostname === 'localhost' || origin === '*';
  });
  return bad.length > 0
    ? fail('allowed origins', `not https:// public origins: ${bad.join(', ')}`)
    : pass('allowed origins', origins.join(', '));
}

export function checkDatabasePassword(env: RawEnv): CheckResult {
  const url = parseUrl(env.DATABASE_URL);
  if (!url) return fail('database password', 'DATABASE_URL is not set or not a URL');
  const password = decodeURIComponent(url.password);
  const user = decodeURIComponent(url.username);
  if (!password) return fail('database password', 'DATABASE_URL has no password');
  if (WEAK_PASSWORDS.has(password.toLowerCase()) || password === user)
    return fail('database password', 'a default or example password');
  if (password.length < 16)
    return fail(
      'database password',
      `only ${password.length} characters (16+: openssl rand -hex 16)`,
    );
  return pass('database password', `${password.length} characters, user '${user}'`);
}

export function checkTrustProxy(env: RawEnv): CheckResult {
  const value = (env.TRUST_PROXY ?? '').trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value))
    return pass(
      'client IPs behind a proxy',
      'TRUST_PROXY=true: the API port must be reachable only through a proxy that replaces X-Forwarded-For',
    );
  return !['', 'false', '0', 'no', 'off'].includes(value)
    ? pass(
        'client IPs behind a proxy',
        `TRUST_PROXY=${env.TRUST_PROXY?.trim()}: the client is the right-most X-Forwarded-For address outside these proxies`,
      )
    : warn(
        'client IPs behind a proxy',
        'TRUST_PROXY=false: right only if clients reach the API directly; behind nginx or a load balancer set true, or throttling and audit see the proxy address',
      );
}

export function checkRequired(env: RawEnv, name: 'REDIS_URL' | 'SMTP_URL'): CheckResult {
  const item = name === 'REDIS_URL' ? 'Redis' : 'outgoing mail';
  const url = parseUrl(env[name]);
  if (!url) return fail(item, `${name} is not set`);
  if (name === 'SMTP_URL' && ['mailpit', 'localhost', '127.0.0.1'].includes(url.hostname))
    return warn(
      item,
      `SMTP_URL points at ${url.hostname}: a test mail catcher? Use your mail provider`,
    );
  return pass(item, `${url.protocol}//${url.hostname}:${url.port || 'default port'}`);
}

export function checkAdminEmails(env: RawEnv): CheckResult {
  const admins = list(env.ADMIN_EMAILS);
  return admins.length > 0
    ? pass('error alerts', `ADMIN_EMAILS: ${admins.join(', ')}`)
    : fail('error alerts', 'ADMIN_EMAILS is empty: nobody hears about unhandled errors');
}

export function checkBackups(env: RawEnv, facts: BackupFacts, now: Date): CheckResult {
  if (!env.BACKUP_DIR)
    return fail('backups', 'BACKUP_DIR is not set (where scripts/backup.sh writes)');
  if (!facts.dirExists) return fail('backups', `${env.BACKUP_DIR} does not exist`);
  if (!facts.newest) return fail('backups', `no backup (pos-*.dump) in ${env.BACKUP_DIR}`);
  const ageHours = (now.getTime() - facts.newest.modifiedAt.getTime()) / 3_600_000;
  const age = `${facts.newest.name}, ${ageHours.toFixed(1)} h old`;
  return ageHours <= BACKUP_MAX_AGE_HOURS
    ? pass('backups', age)
    : fail(
        'backups',
        `newest is ${age} (more than ${BACKUP_MAX_AGE_HOURS} h: is the cron job running?)`,
      );
}

export function checkLogLevel(env: RawEnv): CheckResult {
  const level = env.LOG_LEVEL ?? 'info';
  return ['debug', 'trace', 'silent'].includes(level)
    ? warn('log level', `LOG_LEVEL=${level}: use info (debug logs are large; silent hides errors)`)
    : pass('log level', level);
}

export function checkDatabaseRole(facts: LiveFacts['database']): CheckResult {
  const item = 'append-only audit (database role)';
  if (!facts) return warn(item, 'not checked (--offline)');
  if ('error' in facts) return fail(item, `could not connect: ${facts.error}`);
  if (facts.superuser) return fail(item, `'${facts.role}' is a superuser: it can do anything`);
  if (facts.ownsLedgers.length > 0)
    return fail(
      item,
      `'${facts.role}' owns ${facts.ownsLedgers.join(', ')}: an owner can drop their triggers; run the API as a DML-only role (DEPLOYMENT.md)`,
    );
  if (facts.mayRewriteLedgers.length > 0)
    return fail(
      item,
      `'${facts.role}' may UPDATE/DELETE/TRUNCATE ${facts.mayRewriteLedgers.join(', ')}: apply scripts/db-grants.sql`,
    );
  return pass(item, `'${facts.role}' can only read and append audit_logs and stock_movements`);
}

export function checkRedisPolicy(facts: LiveFacts['redis']): CheckResult {
  const item = 'Redis eviction policy';
  if (!facts) return warn(item, 'not checked (--offline)');
  if ('error' in facts) return fail(item, `could not ask Redis: ${facts.error}`);
  if (facts.maxmemoryPolicy === null)
    return warn(
      item,
      'CONFIG GET is not allowed here (managed Redis?): make sure it is noeviction',
    );
  return facts.maxmemoryPolicy === 'noeviction'
    ? pass(item, 'noeviction')
    : fail(item, `maxmemory-policy is ${facts.maxmemoryPolicy}: BullMQ needs noeviction`);
}

/** Every check, in the order of DEPLOYMENT.md's checklist. */
export function runChecklist(
  env: RawEnv,
  backups: BackupFacts,
  live: LiveFacts,
  now = new Date(),
): CheckResult[] {
  return [
    checkConfiguration(env),
    checkProductionMode(env),
    checkJwtSecret(env),
    checkAllowedOrigins(env),
    checkTrustProxy(env),
    checkDatabasePassword(env),
    checkDatabaseRole(live.database),
    checkRequired(env, 'REDIS_URL'),
    checkRedisPolicy(live.redis),
    checkRequired(env, 'SMTP_URL'),
    checkAdminEmails(env),
    checkBackups(env, backups, now),
    checkLogLevel(env),
  ];
}

const MARK: Record<CheckStatus, string> = { pass: '✔', warn: '!', fail: '✘' };

export function formatResults(results: CheckResult[]): string {
  const width = Math.max(...results.map((result) => result.item.length));
  const failed = results.filter((result) => result.status === 'fail').length;
  const warned = results.filter((result) => result.status === 'warn').length;
  return [
    ...results.map(
      (result) => `${MARK[result.status]} ${result.item.padEnd(width)}  ${result.detail}`,
    ),
    '',
    failed === 0
      ? `All ${results.length} checks pass${warned ? ` (${warned} warning(s) to read)` : ''}.`
      : `${failed} of ${results.length} checks FAIL${warned ? `, ${warned} warning(s)` : ''}: see DEPLOYMENT.md, "Security checklist".`,
  ].join('\n');
}
