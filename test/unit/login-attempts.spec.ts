import { ConfigService } from '@nestjs/config';
import { Env, validateEnv } from '../../src/config/env.schema';
import { LoginAttempts } from '../../src/modules/auth/login-attempts';

/** Without Redis: the counters live in this process's memory. */
function attemptsInMemory(): LoginAttempts {
  const config = new ConfigService<Env, true>(
    validateEnv({ NODE_ENV: 'test', LOGIN_MAX_FAILURES: '5', LOGIN_LOCKOUT_SECONDS: '300' }),
  );
  return new LoginAttempts(null, config);
}

describe('LoginAttempts in process memory', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-30T08:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('refuses a sixth attempt while five are in flight', async () => {
    const attempts = attemptsInMemory();
    for (let i = 0; i < 5; i++) expect(await attempts.begin('10.0.0.1', 'mili')).toBe(0);
    expect(await attempts.begin('10.0.0.1', 'mili')).toBeGreaterThan(0);
    await attempts.abandoned('10.0.0.1', 'mili');
    expect(await attempts.begin('10.0.0.1', 'mili')).toBe(0);
  });

  it('counts an IPv6 client by its /64, so changing address within it starts no new count', async () => {
    const attempts = attemptsInMemory();
    for (let host = 1; host <= 5; host++) {
      expect(await attempts.begin(`2001:db8:0:1::${host}`, 'mili')).toBe(0);
      const lockedForMs = await attempts.failed(`2001:db8:0:1::${host}`, 'mili');
      expect(lockedForMs).toBe(host < 5 ? 0 : 300_000);
    }
    expect(await attempts.begin('2001:db8:0:1:ffff::6', 'mili')).toBeGreaterThan(0);
    expect(await attempts.begin('2001:db8:0:2::1', 'mili')).toBe(0); // another /64
    expect(await attempts.begin('10.0.0.1', 'mili')).toBe(0);
    await attempts.failed('::ffff:10.0.0.1', 'mili'); // the same IPv4 client, IPv4-mapped
    for (let i = 0; i < 3; i++) await attempts.failed('10.0.0.1', 'mili');
    expect(await attempts.failed('10.0.0.1', 'mili')).toBe(300_000);
  });

  it('forgets attempts that never reported back 60 s after the first began, retries or not', async () => {
    const attempts = attemptsInMemory();
    for (let i = 0; i < 5; i++) await attempts.begin('10.0.0.1', 'mili'); // never settled
    for (let second = 0; second < 59; second++) {
      expect(await attempts.begin('10.0.0.1', 'mili')).toBeGreaterThan(0);
      jest.advanceTimersByTime(1000);
    }
    jest.advanceTimersByTime(1000);
    expect(await attempts.begin('10.0.0.1', 'mili')).toBe(0);
  });
});
