import { validateEnv } from '../../src/config/env.schema';
import { backoffDelayMs } from '../../src/modules/notifications/outbox-settings';

describe('outbox settings', () => {
  it('polls every second by default, but not under NODE_ENV=test unless asked to', () => {
    expect(validateEnv({ NODE_ENV: 'development' }).OUTBOX_POLL_MS).toBe(1000);
    expect(validateEnv({ NODE_ENV: 'test' }).OUTBOX_POLL_MS).toBe(0);
    expect(validateEnv({ NODE_ENV: 'test', OUTBOX_POLL_MS: '50' }).OUTBOX_POLL_MS).toBe(50);
    expect(validateEnv({ NODE_ENV: 'development', OUTBOX_POLL_MS: '0' }).OUTBOX_POLL_MS).toBe(0);
  });

  it('has production defaults for backoff, lease and re-relay', () => {
    expect(validateEnv({})).toMatchObject({
      OUTBOX_BATCH_SIZE: 100,
      OUTBOX_BACKOFF_MS: 5000,
      OUTBOX_BACKOFF_MAX_MS: 3_600_000,
      OUTBOX_LEASE_MS: 120_000,
      OUTBOX_RERELAY_MS: 300_000,
    });
  });

  it('refuses a lease shorter than a second', () => {
    expect(() => validateEnv({ OUTBOX_LEASE_MS: '10' })).toThrow(/OUTBOX_LEASE_MS/);
  });

  it('backs off from the base, doubling per failed attempt, up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((attempts) => backoffDelayMs(attempts, 5000, 60_000))).toEqual([
      5000, 10_000, 20_000, 40_000, 60_000,
    ]);
    expect(backoffDelayMs(10_000, 5000, 3_600_000)).toBe(3_600_000);
  });
});
