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
