import { ConfigService } from '@nestjs/config';
import type { AuthUser } from '../../src/common/auth/auth-user';
import { InvalidationBus } from '../../src/common/redis/invalidation-bus';
import { Env, validateEnv } from '../../src/config/env.schema';
import { PrincipalCache } from '../../src/modules/auth/principal-cache';

const user: AuthUser = {
  id: 'user-1',
  username: 'wanjiku',
  role: 'cashier',
  storeIds: ['store-1'],
  commissionRate: 2.5,
  sessionId: 'session-1',
};
const inAnHour = () => new Date(Date.now() + 3_600_000);

/** A cache in an API process without Redis: invalidations are delivered in process only. */
function cache(seconds = 30) {
  const config = new ConfigService<Env, true>(
    validateEnv({ NODE_ENV: 'test', LOCAL_CACHE_SECONDS: String(seconds) }),
  );
  return { principals: new PrincipalCache(new InvalidationBus(null, config), config) };
}

describe('PrincipalCache', () => {
  it('keeps a loaded principal for its session and user only', async () => {
    const { principals } = cache();
    await principals.load('session-1', async () => ({ user, sessionExpiresAt: inAnHour() }));
    expect(principals.get('session-1', 'user-1')).toEqual(user);
    expect(principals.get('session-1', 'someone-else')).toBeUndefined();
    expect(principals.get('session-2', 'user-1')).toBeUndefined();
  });

  it('does not keep a row read while an invalidation arrived (it may predate the change)', async () => {
    const { principals } = cache();
    await principals.load('session-1', async () => {
      await principals.forgetUser('user-1'); // committed and broadcast during the read
      return { user, sessionExpiresAt: inAnHour() };
    });
    expect(principals.get('session-1', 'user-1')).toBeUndefined();
  });

  it('forgets a session, and every session of a user, when told', async () => {
    const { principals } = cache();
    const second = { ...user, sessionId: 'session-2' };
    await principals.load('session-1', async () => ({ user, sessionExpiresAt: inAnHour() }));
    await principals.load('session-2', async () => ({
      user: second,
      sessionExpiresAt: inAnHour(),
    }));
    await principals.forgetSession('session-1');
    expect(principals.get('session-1', 'user-1')).toBeUndefined();
    expect(principals.get('session-2', 'user-1')).toEqual(second);
    await principals.forgetUser('user-1');
    expect(principals.get('session-2', 'user-1')).toBeUndefined();
  });

  it('never outlives the session itself', async () => {
    const { principals } = cache(300);
    await principals.load('session-1', async () => ({
      user,
      sessionExpiresAt: new Date(Date.now() - 1),
    }));
    expect(principals.get('session-1', 'user-1')).toBeUndefined();
  });

  it('caches nothing with LOCAL_CACHE_SECONDS=0', async () => {
    const { principals } = cache(0);
    await principals.load('session-1', async () => ({ user, sessionExpiresAt: inAnHour() }));
    expect(principals.get('session-1', 'user-1')).toBeUndefined();
  });
});
