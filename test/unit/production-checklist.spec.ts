import {
  checkAllowedOrigins,
  checkBackups,
  checkDatabasePassword,
  checkDatabaseRole,
  checkJwtSecret,
  checkRedisPolicy,
  checkTrustProxy,
  formatResults,
  runChecklist,
} from '../../scripts/production-checklist';
import { EXAMPLE_JWT_SECRET, validateEnv } from '../../src/config/env.schema';

const NOW = new Date('2026-11-20T06:00:00Z');
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);

const GOOD_ENV = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://pos_app:Zq8v2LmP4xR7tN1k@db.internal:5432/pos',
  REDIS_URL: 'redis://redis.internal:6379',
  SMTP_URL: 'smtps://alerts:token@smtp.mailprovider.example:465',
  JWT_SECRET: 'mM1x3Q9rVb7LkT2pZ8sWc4Nd6Yh0Jf5Gu+/aE=',
  CORS_ORIGINS: 'https://backoffice.example.co.ke,https://till.example.co.ke',
  TRUST_PROXY: 'true',
  ADMIN_EMAILS: 'ops@example.co.ke',
  BACKUP_DIR: '/var/backups/pos',
  LOG_LEVEL: 'info',
};
const FRESH_BACKUP = {
  dirExists: true,
  newest: { name: 'pos-pos-20261120T020000Z.dump', modifiedAt: hoursAgo(4) },
};
const APP_ROLE = {
  role: 'pos_app',
  superuser: false,
  ownsLedgers: [],
  mayRewriteLedgers: [],
};

describe('production checklist', () => {
  it('passes a well-configured production environment', () => {
    const results = runChecklist(
      GOOD_ENV,
      FRESH_BACKUP,
      { database: APP_ROLE, redis: { maxmemoryPolicy: 'noeviction' } },
      NOW,
    );
    expect(results.filter((result) => result.status !== 'pass')).toEqual([]);
    expect(formatResults(results)).toMatch(/All 13 checks pass\.$/);
  });

  it('fails what the defaults of a development machine get wrong, naming each', () => {
    const results = runChecklist({}, { dirExists: false }, {}, NOW);
    const failed = results.filter((result) => result.status === 'fail').map((r) => r.item);
    expect(failed).toEqual([
      'production mode',
      'JWT secret',
      'allowed origins',
      'database password',
      'Redis',
      'outgoing mail',
      'error alerts',
      'backups',
    ]);
    const text = formatResults(results);
    expect(text).toContain('✘ production mode');
    expect(text).toContain('! client IPs behind a proxy');
    expect(text).toMatch(/8 of 13 checks FAIL/);
  });

  it('reports an invalid configuration as the API would refuse it', () => {
    const [configuration] = runChecklist({ ...GOOD_ENV, PORT: 'eighty' }, FRESH_BACKUP, {}, NOW);
    expect(configuration).toMatchObject({ status: 'fail', item: 'configuration' });
    expect(configuration.detail).toContain('PORT');
  });

  it.each([
    [EXAMPLE_JWT_SECRET, /example value/],
    ['short-secret', /12 characters/],
    ['ab'.repeat(20), /distinct characters/],
  ])('JWT secret %s fails', (secret, reason) => {
    const result = checkJwtSecret({ JWT_SECRET: secret });
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(reason);
  });

  it.each([
    ['http://backoffice.example.com'],
    ['*'],
    ['https://localhost:5173'],
    ['https://ok.example.com,http://bad.example.com'],
  ])('origins %s fail', (origins) => {
    expect(checkAllowedOrigins({ CORS_ORIGINS: origins }).status).toBe('fail');
  });

  it.each([
    ['postgres://pos:change-this-password@db/pos', /default or example/],
    ['postgres://pos:pos@db/pos', /default or example/],
    ['postgres://pos@db/pos', /no password/],
    ['postgres://pos:Sh0rtPass@db/pos', /only 9 characters/],
  ])('database URL %s fails', (url, reason) => {
    const result = checkDatabasePassword({ DATABASE_URL: url });
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(reason);
  });

  it('warns about TRUST_PROXY=false (right only without a proxy), passes true or a proxy list', () => {
    expect(checkTrustProxy({}).status).toBe('warn');
    expect(checkTrustProxy({ TRUST_PROXY: 'true' }).status).toBe('pass');
    expect(checkTrustProxy({ TRUST_PROXY: 'off' }).status).toBe('warn');
    expect(checkTrustProxy({ TRUST_PROXY: '10.0.0.0/8' })).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/right-most X-Forwarded-For address outside these proxies/),
    });
  });

  it('wants a backup newer than 26 hours', () => {
    const old = { dirExists: true, newest: { name: 'pos-x.dump', modifiedAt: hoursAgo(27) } };
    expect(checkBackups(GOOD_ENV, old, NOW)).toMatchObject({ status: 'fail' });
    expect(checkBackups(GOOD_ENV, { dirExists: true }, NOW).detail).toMatch(/no backup/);
    expect(checkBackups(GOOD_ENV, FRESH_BACKUP, NOW).detail).toMatch(/4\.0 h old/);
  });

  it('fails a database role that owns, or may rewrite, the append-only tables', () => {
    expect(checkDatabaseRole({ ...APP_ROLE, superuser: true }).status).toBe('fail');
    expect(
      checkDatabaseRole({ ...APP_ROLE, ownsLedgers: ['audit_logs', 'stock_movements'] }).detail,
    ).toMatch(/owns audit_logs, stock_movements/);
    expect(checkDatabaseRole({ ...APP_ROLE, mayRewriteLedgers: ['audit_logs'] }).detail).toMatch(
      /db-grants\.sql/,
    );
    expect(checkDatabaseRole({ error: 'connection refused' }).status).toBe('fail');
    expect(checkDatabaseRole(undefined).status).toBe('warn');
  });

  it('wants Redis with maxmemory-policy noeviction', () => {
    expect(checkRedisPolicy({ maxmemoryPolicy: 'allkeys-lru' }).status).toBe('fail');
    expect(checkRedisPolicy({ maxmemoryPolicy: null }).status).toBe('warn');
    expect(checkRedisPolicy({ maxmemoryPolicy: 'noeviction' }).status).toBe('pass');
  });

  it('reads the operations variables: ADMIN_EMAILS as a list of addresses, LOG_DIR, backups', () => {
    const env = validateEnv({
      ADMIN_EMAILS: ' ops@example.co.ke, oncall@example.co.ke ',
      LOG_DIR: '/var/log/pos',
      BACKUP_DIR: '/var/backups/pos',
    });
    expect(env).toMatchObject({
      ADMIN_EMAILS: ['ops@example.co.ke', 'oncall@example.co.ke'],
      LOG_DIR: '/var/log/pos',
      BACKUP_DIR: '/var/backups/pos',
      BACKUP_RETENTION_DAYS: 30,
    });
    expect(validateEnv({ ADMIN_EMAILS: '', LOG_DIR: '' })).toMatchObject({ ADMIN_EMAILS: [] });
    expect(() => validateEnv({ ADMIN_EMAILS: 'ops@example.co.ke, not-an-address' })).toThrow(
      /ADMIN_EMAILS must be comma-separated email addresses/,
    );
    expect(() => validateEnv({ BACKUP_RETENTION_DAYS: '0' })).toThrow(/BACKUP_RETENTION_DAYS/);
  });
});
