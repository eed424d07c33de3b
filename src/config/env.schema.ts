import 'reflect-metadata';
import { isIP } from 'node:net';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  registerDecorator,
  validateSync,
  ValidationError,
} from 'class-validator';
import { IsPercentage } from '../common/validators/fields';
import { USERNAME_PATTERN, USERNAME_RULE } from '../common/validators/username';

/** The value `.env.example` ships with: production refuses to start with it. */
export const EXAMPLE_JWT_SECRET = 'replace-me-with-a-random-string-of-at-least-32-characters';
/** The first admin's password in `.env.example`: published, so refused in production. */
export const EXAMPLE_ADMIN_PASSWORD = 'replace-with-a-long-password';
/** Used only outside production, so that `npm start` works with no configuration. */
export const DEVELOPMENT_JWT_SECRET = 'development-only-secret-never-use-in-production';

export const NODE_ENVIRONMENTS = ['development', 'test', 'production'] as const;
export type NodeEnvironment = (typeof NODE_ENVIRONMENTS)[number];

// Transforms read the raw value (`obj[key]`): implicit conversion would turn "false" into true.
type RawField = { obj: Record<string, unknown>; key: string };
const toBoolean = ({ obj, key }: RawField) => {
  const value = obj[key];
  if (typeof value !== 'string') return value;
  const normalized = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
  if (['false', '0', 'no', 'off', ''].includes(normalized)) return false;
  return value;
};
const toList = ({ obj, key }: RawField) => {
  const value = obj[key];
  return typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : value;
};
const toTrustedProxies = (field: RawField) => {
  const flag = toBoolean(field);
  return typeof flag === 'boolean' ? flag : toList(field);
};
const PROXY_PRESETS = ['loopback', 'linklocal', 'uniquelocal'];
function isProxyAddress(item: string): boolean {
  if (PROXY_PRESETS.includes(item)) return true;
  const [address, prefix, ...rest] = item.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  // A /0 would trust every address (that is TRUST_PROXY=true), and proxy-addr refuses it.
  return (
    /^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= (version === 4 ? 32 : 128)
  );
}
function IsTrustProxy(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTrustProxy',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message:
          'TRUST_PROXY must be true, false, or a comma-separated list of proxy addresses or CIDR ranges (e.g. 10.0.0.0/8,loopback)',
      },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'boolean' ||
          (Array.isArray(value) &&
            value.length > 0 &&
            value.every((item) => typeof item === 'string' && isProxyAddress(item))),
      },
    });
}
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);
/** Node runs a longer timer at once (after 1 ms), and PostgreSQL's timeouts are int milliseconds. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Every environment variable the processes read, validated once at boot.
 * `.env.example` documents each of them; keep the two in step.
 */
export class EnvironmentVariables {
  @IsIn(NODE_ENVIRONMENTS)
  NODE_ENV: NodeEnvironment = 'development';

  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  /**
   * Where the API listens. Unset: every interface, except when demo data is seeded, whose
   * logins are published in the README: then loopback only, so the network cannot sign in.
   */
  @IsOptional()
  @IsString()
  HOST?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** Read replicas for report queries (comma-separated postgres:// URLs); unset: the primary. */
  @Transform(toList)
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    each: true,
    message: 'DATABASE_REPLICA_URLS must be comma-separated postgres:// URLs',
  })
  DATABASE_REPLICA_URLS: string[] = [];

  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE: number = 10;

  @IsInt()
  @Min(0)
  @Max(MAX_TIMER_MS)
  DATABASE_STATEMENT_TIMEOUT_MS: number = 15000;

  @IsInt()
  @Min(100)
  @Max(MAX_TIMER_MS)
  DATABASE_CONNECT_TIMEOUT_MS: number = 5000;

  /** Longest wait for a row lock (e.g. a duplicate Idempotency-Key in flight) before giving up. */
  @IsInt()
  @Min(100)
  @Max(MAX_TIMER_MS)
  DATABASE_LOCK_TIMEOUT_MS: number = 10000;

  @Transform(toBoolean)
  @IsBoolean()
  DATABASE_MIGRATIONS_RUN: boolean = true;

  @IsInt()
  @Min(1)
  @Max(65535)
  EMBEDDED_DATABASE_PORT: number = 54329;

  @IsString()
  DATA_DIR: string = '.data';

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsString()
  MAIL_FROM: string = 'POS <no-reply@pos.local>';

  /**
   * How often the outbox is polled (the relay into BullMQ with REDIS_URL, the in-process
   * dispatcher without). 0 disables polling. Default 1000, but 0 under NODE_ENV=test so that
   * test files get no background pollers unless they ask for them.
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_TIMER_MS)
  OUTBOX_POLL_MS?: number;

  /** Outbox rows handled per poll. */
  @IsInt()
  @Min(1)
  @Max(10000)
  OUTBOX_BATCH_SIZE: number = 100;

  /** First retry delay of a failed notification; doubles per attempt up to OUTBOX_BACKOFF_MAX_MS. */
  @IsInt()
  @Min(1)
  @Max(MAX_TIMER_MS)
  OUTBOX_BACKOFF_MS: number = 5000;

  @IsInt()
  @Min(1)
  @Max(MAX_TIMER_MS)
  OUTBOX_BACKOFF_MAX_MS: number = 3_600_000;

  /**
   * How long a sender holds a row it is sending; longer than the SMTP timeouts (10 s connect,
   * 10 s greeting, 30 s idle), so two senders never overlap on one row.
   */
  @IsInt()
  @Min(1000)
  @Max(MAX_TIMER_MS)
  OUTBOX_LEASE_MS: number = 120_000;

  /** A relayed row still undelivered after this long is put on the queue again (lost jobs). */
  @IsInt()
  @Min(1000)
  @Max(MAX_TIMER_MS)
  OUTBOX_RERELAY_MS: number = 300_000;

  /** Delivered outbox rows are deleted after this many days; 0 keeps them forever. */
  @IsInt()
  @Min(0)
  OUTBOX_RETENTION_DAYS: number = 30;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  JWT_SECRET?: string;

  @IsInt()
  @Min(30)
  @Max(86400)
  JWT_ACCESS_TTL_SECONDS: number = 900;

  @IsInt()
  @Min(1)
  @Max(365)
  REFRESH_TOKEN_TTL_DAYS: number = 14;

  /**
   * How long an API process trusts a session or store it has read. Changes made through the API
   * reach every process at once (Redis pub/sub); this bounds changes made behind its back.
   * 0 reads the database on every request.
   */
  @IsInt()
  @Min(0)
  @Max(300)
  LOCAL_CACHE_SECONDS: number = 30;

  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES: number = 5;

  @IsInt()
  @Min(1)
  LOGIN_LOCKOUT_SECONDS: number = 300;

  @IsInt()
  @Min(1)
  LOGIN_IP_LIMIT: number = 30;

  @IsInt()
  @Min(1)
  LOGIN_IP_WINDOW_SECONDS: number = 300;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(USERNAME_PATTERN, { message: `ADMIN_USERNAME must be ${USERNAME_RULE}` })
  ADMIN_USERNAME?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(10, { message: 'ADMIN_PASSWORD must be at least 10 characters' })
  ADMIN_PASSWORD?: string;

  /** Seed demo stores and users once on an empty database (default: only on the embedded database). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  SEED_DEMO_DATA?: boolean;

  /** VAT of the `standard` tax class, percent with up to two decimals (Kenya: 16). */
  @IsPercentage()
  @Min(0)
  @Max(100)
  VAT_STANDARD_RATE: number = 16;

  @IsInt()
  @Min(1)
  @Max(1000)
  SALE_MAX_LINES: number = 200;

  /** How far back an offline till may date a sale (occurredAt). */
  @IsInt()
  @Min(1)
  SALE_MAX_BACKDATE_HOURS: number = 72;

  /** Idempotency keys are kept at least this long, then removed by a scheduled cleanup. */
  @IsInt()
  @Min(24)
  IDEMPOTENCY_TTL_HOURS: number = 24;

  /** How long a computed report is served again (Redis, or memory without it); 0: never. */
  @IsInt()
  @Min(0)
  @Max(3600)
  REPORT_CACHE_SECONDS: number = 30;

  /**
   * How often closed days are rolled up into report_daily_sales (ms); 0 turns it off in this
   * process. Default 60000, but 0 under NODE_ENV=test (tests call the rollup themselves).
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_TIMER_MS)
  REPORT_ROLLUP_INTERVAL_MS?: number;

  @Transform(toList)
  @IsString({ each: true })
  CORS_ORIGINS: string[] = [];

  @IsInt()
  @Min(1024)
  BODY_LIMIT_BYTES: number = 1_048_576;

  /**
   * false, true (every hop: only behind a proxy that replaces X-Forwarded-For), or the proxies'
   * addresses and CIDR ranges (`loopback`, `linklocal`, `uniquelocal` too): the client is the
   * right-most address in X-Forwarded-For that is not one of them, which holds behind load
   * balancers that append to the header.
   */
  @Transform(toTrustedProxies)
  @IsTrustProxy()
  TRUST_PROXY: boolean | string[] = false;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** Also write rotating files here: info.log and error.log, 10 MB × 5 each. Unset: stdout only. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  LOG_DIR?: string;

  /** Who is emailed about unhandled errors in production (comma-separated); empty: nobody. */
  @Transform(toList)
  @IsEmail({}, { each: true, message: 'ADMIN_EMAILS must be comma-separated email addresses' })
  ADMIN_EMAILS: string[] = [];

  /** Where scripts/backup.sh writes backups (checked by `npm run check:prod`). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  BACKUP_DIR?: string;

  /** scripts/backup.sh deletes backups older than this many days. */
  @IsInt()
  @Min(1)
  BACKUP_RETENTION_DAYS: number = 30;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_TIMER_MS)
  SHUTDOWN_GRACE_MS?: number;
}

export type Env = EnvironmentVariables;

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? message : `${error.property}: ${message}`,
    ),
  );
}

function productionProblems(env: EnvironmentVariables): string[] {
  if (env.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'SMTP_URL'] as const) {
    if (!env[name]) problems.push(`${name} is required when NODE_ENV=production`);
  }
  const secret = env.JWT_SECRET;
  if (!secret) problems.push('JWT_SECRET is required when NODE_ENV=production');
  else if (secret.length < 32)
    problems.push('JWT_SECRET must be at least 32 characters in production');
  else if (secret === EXAMPLE_JWT_SECRET || secret === DEVELOPMENT_JWT_SECRET)
    problems.push(
      'JWT_SECRET must not be the example value: generate one (openssl rand -base64 48)',
    );
  if (env.ADMIN_PASSWORD === EXAMPLE_ADMIN_PASSWORD)
    problems.push('ADMIN_PASSWORD must not be the example value in production');
  if (env.SEED_DEMO_DATA)
    problems.push(
      'SEED_DEMO_DATA must not be true in production: the demo logins and their passwords are published',
    );
  return problems;
}

export class InvalidConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'InvalidConfigurationError';
  }
}

/** Validates raw environment variables; throws one error naming every bad or missing one. */
export function validateEnv(raw: Record<string, unknown>): EnvironmentVariables {
  // `PORT=` in a .env file, or `${X:-}` in compose, means unset: read as a number it would be 0,
  // which turns several settings off (OUTBOX_POLL_MS, DATABASE_STATEMENT_TIMEOUT_MS).
  const given = Object.fromEntries(
    Object.entries(raw).filter(([, value]) => !(typeof value === 'string' && value.trim() === '')),
  );
  const env = plainToInstance(EnvironmentVariables, given, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const problems = [
    ...describe(validateSync(env, { skipMissingProperties: false, whitelist: false })),
  ];
  if (problems.length === 0) problems.push(...productionProblems(env));
  if (Boolean(env.ADMIN_USERNAME) !== Boolean(env.ADMIN_PASSWORD))
    problems.push('ADMIN_USERNAME and ADMIN_PASSWORD must be set together');
  if (
    env.DATABASE_STATEMENT_TIMEOUT_MS > 0 &&
    env.DATABASE_STATEMENT_TIMEOUT_MS <= env.DATABASE_LOCK_TIMEOUT_MS
  ) {
    // A lock wait counts towards the statement's time: an Idempotency-Key in flight would be
    // cancelled as a statement (503) before it could be answered 409 IDEMPOTENCY_IN_PROGRESS.
    problems.push(
      'DATABASE_STATEMENT_TIMEOUT_MS must be 0 or greater than DATABASE_LOCK_TIMEOUT_MS',
    );
  }
  if (problems.length > 0) throw new InvalidConfigurationError(problems);
  env.JWT_SECRET ??= DEVELOPMENT_JWT_SECRET;
  env.SHUTDOWN_GRACE_MS ??= env.NODE_ENV === 'production' ? 5000 : 0;
  env.OUTBOX_POLL_MS ??= env.NODE_ENV === 'test' ? 0 : 1000;
  env.REPORT_ROLLUP_INTERVAL_MS ??= env.NODE_ENV === 'test' ? 0 : 60_000;
  if (env.NODE_ENV === 'test' && given.LOG_LEVEL === undefined) env.LOG_LEVEL = 'silent';
  return env;
}
