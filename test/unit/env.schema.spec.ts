import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import {
  EXAMPLE_ADMIN_PASSWORD,
  EnvironmentVariables,
  EXAMPLE_JWT_SECRET,
  InvalidConfigurationError,
  validateEnv,
} from '../../src/config/env.schema';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://pos:secret@db:5432/pos',
  REDIS_URL: 'redis://redis:6379',
  SMTP_URL: 'smtp://mail:1025',
  JWT_SECRET: 'k'.repeat(48),
};

function problemsOf(raw: Record<string, string>): string[] {
  try {
    validateEnv(raw);
    return [];
  } catch (error) {
    if (!(error instanceof InvalidConfigurationError)) throw error;
    return error.problems;
  }
}

describe('environment validation', () => {
  it('starts with no configuration at all outside production, on documented defaults', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      DATABASE_POOL_SIZE: 10,
      TRUST_PROXY: false,
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.JWT_SECRET).toBeDefined();
  });

  it('converts numbers, booleans and lists from their string form', () => {
    const env = validateEnv({
      PORT: '8080',
      TRUST_PROXY: 'false',
      DATABASE_MIGRATIONS_RUN: '0',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(env.PORT).toBe(8080);
    expect(env.TRUST_PROXY).toBe(false);
    expect(env.DATABASE_MIGRATIONS_RUN).toBe(false);
    expect(env.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });

  it('names every bad variable in one error', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      TRUST_PROXY: 'maybe',
    });
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL must be a postgres:\/\/ URL/);
    expect(problems.join('\n')).toMatch(/TRUST_PROXY/);
  });

  it('accepts a complete production configuration', () => {
    expect(problemsOf(production)).toEqual([]);
    expect(validateEnv(production).SHUTDOWN_GRACE_MS).toBe(5000);
  });

  it('refuses production without its services, naming each missing one', () => {
    const problems = problemsOf({ NODE_ENV: 'production', JWT_SECRET: 'k'.repeat(48) });
    expect(problems).toEqual([
      'DATABASE_URL is required when NODE_ENV=production',
      'REDIS_URL is required when NODE_ENV=production',
      'SMTP_URL is required when NODE_ENV=production',
    ]);
  });

  it('refuses a weak production JWT secret', () => {
    expect(problemsOf({ ...production, JWT_SECRET: 'short-secret' })).toEqual([
      'JWT_SECRET must be at least 32 characters in production',
    ]);
  });

  it('refuses the example JWT secret in production', () => {
    expect(problemsOf({ ...production, JWT_SECRET: EXAMPLE_JWT_SECRET })[0]).toMatch(
      /must not be the example value/,
    );
  });

  it('refuses the example admin password and demo data in production', () => {
    expect(
      problemsOf({
        ...production,
        ADMIN_USERNAME: 'admin',
        ADMIN_PASSWORD: EXAMPLE_ADMIN_PASSWORD,
      }),
    ).toEqual(['ADMIN_PASSWORD must not be the example value in production']);
    expect(problemsOf({ ...production, SEED_DEMO_DATA: 'true' })[0]).toMatch(/SEED_DEMO_DATA/);
    expect(problemsOf({ ...production, SEED_DEMO_DATA: 'false' })).toEqual([]);
    expect(
      problemsOf({
        NODE_ENV: 'development',
        ADMIN_USERNAME: 'admin',
        ADMIN_PASSWORD: EXAMPLE_ADMIN_PASSWORD,
        SEED_DEMO_DATA: 'true',
      }),
    ).toEqual([]);
  });

  it('refuses production without a JWT secret', () => {
    const { JWT_SECRET: _omitted, ...rest } = production;
    expect(problemsOf(rest)).toEqual(['JWT_SECRET is required when NODE_ENV=production']);
  });
});

describe('empty, inconsistent and out-of-range settings', () => {
  it('reads a variable set to nothing as unset, so its default applies (not 0 or false)', () => {
    const env = validateEnv({
      NODE_ENV: 'development',
      PORT: '',
      OUTBOX_POLL_MS: '',
      DATABASE_STATEMENT_TIMEOUT_MS: '  ',
      DATABASE_MIGRATIONS_RUN: '',
      OUTBOX_RETENTION_DAYS: '',
      REPORT_ROLLUP_INTERVAL_MS: '',
    });
    expect(env).toMatchObject({
      PORT: 3000,
      OUTBOX_POLL_MS: 1000,
      DATABASE_STATEMENT_TIMEOUT_MS: 15000,
      DATABASE_MIGRATIONS_RUN: true,
      OUTBOX_RETENTION_DAYS: 30,
      REPORT_ROLLUP_INTERVAL_MS: 60_000,
    });
  });

  it("reads TRUST_PROXY as a yes/no or as the proxies' addresses and ranges", () => {
    expect(validateEnv({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(validateEnv({ TRUST_PROXY: 'off' }).TRUST_PROXY).toBe(false);
    expect(
      validateEnv({ TRUST_PROXY: ' 10.0.0.0/8, 192.168.1.7 ,fd00::/8,loopback' }).TRUST_PROXY,
    ).toEqual(['10.0.0.0/8', '192.168.1.7', 'fd00::/8', 'loopback']);
    for (const value of [
      'maybe',
      '10.0.0.0/33',
      '10.0.0.300',
      'fd00::/129',
      '10.0.0.0/8/1',
      ',',
      '0.0.0.0/0',
      '::/0',
    ]) {
      expect(problemsOf({ TRUST_PROXY: value }).join('\n')).toMatch(
        /TRUST_PROXY must be true, false, or/,
      );
    }
  });

  it('refuses a VAT rate with more than two decimals, also one written as 5e-7', () => {
    expect(validateEnv({ VAT_STANDARD_RATE: '16.5' }).VAT_STANDARD_RATE).toBe(16.5);
    for (const rate of ['16.555', '5e-7', '-1', '101']) {
      expect(problemsOf({ VAT_STANDARD_RATE: rate }).join('\n')).toMatch(/VAT_STANDARD_RATE/);
    }
  });

  it('refuses a statement timeout that a lock wait would reach first (0 turns it off)', () => {
    const problem =
      'DATABASE_STATEMENT_TIMEOUT_MS must be 0 or greater than DATABASE_LOCK_TIMEOUT_MS';
    expect(problemsOf({ DATABASE_STATEMENT_TIMEOUT_MS: '5000' })).toEqual([problem]);
    expect(
      problemsOf({ DATABASE_STATEMENT_TIMEOUT_MS: '3000', DATABASE_LOCK_TIMEOUT_MS: '3000' }),
    ).toEqual([problem]);
    expect(problemsOf({ DATABASE_STATEMENT_TIMEOUT_MS: '0' })).toEqual([]);
    expect(
      problemsOf({ DATABASE_STATEMENT_TIMEOUT_MS: '3001', DATABASE_LOCK_TIMEOUT_MS: '3000' }),
    ).toEqual([]);
  });

  it.each([
    'SHUTDOWN_GRACE_MS',
    'OUTBOX_POLL_MS',
    'OUTBOX_LEASE_MS',
    'REPORT_ROLLUP_INTERVAL_MS',
    'DATABASE_CONNECT_TIMEOUT_MS',
  ])('refuses %s beyond a timer’s 2^31 − 1 ms (Node would fire it at once)', (name) => {
    expect(problemsOf({ [name]: '2147483648' }).join()).toContain(name);
    expect(problemsOf({ [name]: '2147483647' })).toEqual([]);
  });
});

describe('.env.example', () => {
  it('documents every variable the configuration reads, and no other', () => {
    const documented = new Set(
      [
        ...readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8').matchAll(
          /^#?\s*([A-Z][A-Z0-9_]+)=/gm,
        ),
      ].map((match) => match[1]),
    );
    const read = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
        .map((metadata) => metadata.propertyName),
    );
    expect([...read].filter((name) => !documented.has(name)).sort()).toEqual([]);
    expect([...documented].filter((name) => !read.has(name)).sort()).toEqual([]);
  });
});
