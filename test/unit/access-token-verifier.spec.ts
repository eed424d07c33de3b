import { createSecretKey } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { DomainError } from '../../src/common/errors/domain-error';
import {
  AccessTokenVerifier,
  MAX_REMEMBERED_TOKENS,
} from '../../src/modules/auth/access-token-verifier';

const secret = createSecretKey('a-secret-of-at-least-thirty-two-characters', 'utf8');

function setUp() {
  const jwt = new JwtService({ secret, signOptions: { algorithm: 'HS256' } });
  const signatureChecks = jest.spyOn(jwt, 'verifyAsync');
  return { jwt, verifier: new AccessTokenVerifier(jwt), signatureChecks };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => new Error('the token was accepted'),
    (error: unknown) => error,
  );

describe('AccessTokenVerifier', () => {
  afterEach(() => jest.useRealTimers());

  it('checks a token’s signature once and remembers its claims', async () => {
    const { jwt, verifier, signatureChecks } = setUp();
    const token = jwt.sign({ sub: 'user-1', sid: 'session-1' }, { expiresIn: 900 });

    expect(await verifier.verify(token)).toEqual({ sub: 'user-1', sid: 'session-1' });
    expect(await verifier.verify(token)).toEqual({ sub: 'user-1', sid: 'session-1' });
    expect(signatureChecks).toHaveBeenCalledTimes(1);
  });

  it('refuses a remembered token once it has expired', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-29T08:00:00Z'), doNotFake: ['nextTick'] });
    const { jwt, verifier } = setUp();
    const token = jwt.sign({ sub: 'user-1', sid: 'session-1' }, { expiresIn: 60 });
    await verifier.verify(token);

    jest.setSystemTime(new Date('2026-11-29T08:00:59Z'));
    expect(await verifier.verify(token)).toEqual({ sub: 'user-1', sid: 'session-1' });
    jest.setSystemTime(new Date('2026-11-29T08:01:00Z'));
    const error = await refusal(verifier.verify(token));
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('UNAUTHENTICATED');
  });

  it('refuses, and does not remember, tokens signed with another key, unsigned or without expiry', async () => {
    const { jwt, verifier } = setUp();
    const otherKey = new JwtService({
      secret: 'another-secret-of-at-least-thirty-two-chars',
    }).sign({ sub: 'user-1', sid: 'session-1' }, { expiresIn: 900 });
    const [header, payload] = jwt
      .sign({ sub: 'user-1', sid: 'session-1' }, { expiresIn: 900 })
      .split('.');
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    const tampered = `${header}.${Buffer.from('{"sub":"admin","sid":"session-1","exp":9999999999}').toString('base64url')}.${otherKey.split('.')[2]}`;
    const withoutExpiry = jwt.sign({ sub: 'user-1', sid: 'session-1' });

    for (const token of [otherKey, unsigned, tampered, withoutExpiry, otherKey]) {
      const error = await refusal(verifier.verify(token));
      expect((error as DomainError).code).toBe('UNAUTHENTICATED');
    }
  });

  it(`remembers at most ${MAX_REMEMBERED_TOKENS} tokens, forgetting the oldest first`, async () => {
    const { jwt, verifier, signatureChecks } = setUp();
    const tokens = Array.from({ length: MAX_REMEMBERED_TOKENS + 1 }, (_, index) =>
      jwt.sign({ sub: `user-${index}`, sid: `session-${index}` }, { expiresIn: 900 }),
    );
    for (const token of tokens) await verifier.verify(token);
    signatureChecks.mockClear();

    await verifier.verify(tokens[MAX_REMEMBERED_TOKENS]); // the newest is remembered
    expect(signatureChecks).toHaveBeenCalledTimes(0);
    await verifier.verify(tokens[0]); // the oldest was forgotten
    expect(signatureChecks).toHaveBeenCalledTimes(1);
  });
});
