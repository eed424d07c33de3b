import { createHmac, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SessionCleanup } from '../../src/modules/auth/session-cleanup.service';
import { startTestApp, TestApp } from '../support/app';
import { bearer, login, seedStore, seedUser, TEST_PASSWORD } from '../support/auth';
import { waitForLockWaiters, whileLocked } from '../support/pg-activity';

function randomIp(): string {
  return `10.${[0, 0, 0].map(() => randomBytes(1)[0] % 250).join('.')}`;
}

function signToken(
  claims: object,
  secret: string,
  header: object = { alg: 'HS256', typ: 'JWT' },
): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(claims)}`;
  const signature = createHmac('sha256', secret).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}

describe('auth', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ env: { LOGIN_MAX_FAILURES: '5', LOGIN_LOCKOUT_SECONDS: '300' } });
  });
  afterAll(() => api.close());

  const loginAttempt = (username: string, password: string, ip = '127.0.0.1') =>
    api.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password },
      remoteAddress: ip,
    });

  const me = (accessToken: string) =>
    api.request({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(accessToken) });

  const refreshWith = (refreshToken: string) =>
    api.request({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });

  /** A 401 with the contract's code (a 401 with some other body would not do). */
  const expectUnauthenticated = (response: { statusCode: number; json: () => { code: string } }) =>
    expect({ status: response.statusCode, code: response.json().code }).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });

  const auditActions = async (username: string) =>
    (
      await api.app
        .get(DataSource)
        .query(`SELECT action FROM audit_logs WHERE username = $1 ORDER BY occurred_at, id`, [
          username,
        ])
    ).map((row: { action: string }) => row.action);

  describe('login', () => {
    it('returns tokens and the user (never a password hash), and audits the login', async () => {
      const user = await seedUser(api, 'admin');
      const response = await loginAttempt(user.username, TEST_PASSWORD);
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body).toMatchObject({
        expiresIn: 900,
        user: { id: user.id, username: user.username, role: 'admin', active: true },
      });
      expect(typeof body.accessToken).toBe('string');
      expect(typeof body.refreshToken).toBe('string');
      expect(response.body).not.toMatch(/argon2|passwordHash|password_hash/);
      expect(await auditActions(user.username)).toEqual(['auth.login']);
    });

    it('accepts the username in any case', async () => {
      const user = await seedUser(api, 'cashier');
      expect((await loginAttempt(user.username.toUpperCase(), TEST_PASSWORD)).statusCode).toBe(200);
    });

    it('answers 401 with the same message for an unknown user and a wrong password', async () => {
      const user = await seedUser(api, 'cashier');
      const wrong = await loginAttempt(user.username, 'not-the-password');
      const unknown = await loginAttempt(
        `nobody${randomBytes(3).toString('hex')}`,
        'whatever-password',
      );
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.json().code).toBe('UNAUTHENTICATED');
      expect(wrong.json().message).toBe(unknown.json().message);
    });

    it('refuses an inactive user', async () => {
      const user = await seedUser(api, 'cashier', [], { active: false });
      expect((await loginAttempt(user.username, TEST_PASSWORD)).statusCode).toBe(401);
    });

    it('locks a username out for 5 minutes after 5 failures from one IP, with Retry-After, and audits it', async () => {
      const user = await seedUser(api, 'cashier');
      const ip = randomIp();
      for (let attempt = 1; attempt <= 5; attempt++) {
        expect((await loginAttempt(user.username, 'wrong-password', ip)).statusCode).toBe(401);
      }
      const locked = await loginAttempt(user.username, TEST_PASSWORD, ip);
      expect(locked.statusCode).toBe(429);
      expect(locked.json().code).toBe('TOO_MANY_REQUESTS');
      const retryAfter = Number(locked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(290);
      expect(retryAfter).toBeLessThanOrEqual(300);
      // Another IP is not locked out for this username.
      expect((await loginAttempt(user.username, TEST_PASSWORD, randomIp())).statusCode).toBe(200);
      const actions = await auditActions(user.username);
      expect(actions.filter((action: string) => action === 'auth.login_failed')).toHaveLength(5);
      expect(actions).toContain('auth.locked_out');
    });

    it('a successful login resets the failure count', async () => {
      const user = await seedUser(api, 'cashier');
      const ip = randomIp();
      for (let attempt = 1; attempt <= 4; attempt++)
        await loginAttempt(user.username, 'wrong-password', ip);
      expect((await loginAttempt(user.username, TEST_PASSWORD, ip)).statusCode).toBe(200);
      for (let attempt = 1; attempt <= 4; attempt++) {
        expect((await loginAttempt(user.username, 'wrong-password', ip)).statusCode).toBe(401);
      }
      expect((await loginAttempt(user.username, TEST_PASSWORD, ip)).statusCode).toBe(200);
    });

    it('rejects a body with missing or unknown fields with 400', async () => {
      const response = await api.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'x', role: 'admin' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('VALIDATION_FAILED');
    });
  });

  describe('tokens', () => {
    it('GET /auth/me returns the caller; no token → 401', async () => {
      const user = await seedUser(api, 'admin');
      const { accessToken } = await login(api, user.username);
      const me = await api.request({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: bearer(accessToken),
      });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ id: user.id, username: user.username });
      const anonymous = await api.request({ method: 'GET', url: '/api/v1/auth/me' });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json().code).toBe('UNAUTHENTICATED');
    });

    it('refuses an expired token, a forged one (wrong secret) and alg:none', async () => {
      const user = await seedUser(api, 'admin');
      const { accessToken } = await login(api, user.username);
      const [, payload] = accessToken.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const secret = process.env.JWT_SECRET!;
      const now = Math.floor(Date.now() / 1000);
      const expired = signToken({ ...claims, iat: now - 3600, exp: now - 60 }, secret);
      const forged = signToken(claims, 'some-other-secret-that-is-long-enough');
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
      for (const token of [expired, forged, unsigned, 'garbage']) {
        const response = await api.request({
          method: 'GET',
          url: '/api/v1/auth/me',
          headers: bearer(token),
        });
        expectUnauthenticated(response);
      }
      // The genuine token still works.
      expect(
        (await api.request({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(accessToken) }))
          .statusCode,
      ).toBe(200);
    });

    it('refresh rotates: a new pair works and the old refresh token stops working', async () => {
      const user = await seedUser(api, 'cashier');
      const first = await login(api, user.username);
      const rotated = await api.request({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refreshToken: first.refreshToken },
      });
      expect(rotated.statusCode).toBe(200);
      const second = rotated.json();
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(
        (
          await api.request({
            method: 'GET',
            url: '/api/v1/auth/me',
            headers: bearer(second.accessToken),
          })
        ).statusCode,
      ).toBe(200);
      const third = await api.request({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refreshToken: second.refreshToken },
      });
      expect(third.statusCode).toBe(200);
    });

    it('reuse of a rotated refresh token revokes the whole session', async () => {
      const user = await seedUser(api, 'cashier');
      const first = await login(api, user.username);
      const second = (
        await api.request({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          payload: { refreshToken: first.refreshToken },
        })
      ).json();
      const reuse = await api.request({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refreshToken: first.refreshToken },
      });
      expectUnauthenticated(reuse);
      // The thief and the owner are both out: the newest tokens of that session fail too.
      expectUnauthenticated(await me(second.accessToken));
      const refreshAgain = await api.request({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refreshToken: second.refreshToken },
      });
      expectUnauthenticated(refreshAgain);
      expect(await auditActions(user.username)).toContain('auth.login');
      expect(await auditActions(user.username)).toContain('auth.refresh_reused');
      const [{ count }] = await api.app
        .get(DataSource)
        .query(
          `SELECT count(*)::int AS count FROM audit_logs WHERE action = 'auth.refresh_reused' AND user_id = $1`,
          [user.id],
        );
      expect(count).toBe(1);
    });

    it('the revocation for a reused token and its audit entry commit together or not at all', async () => {
      const dataSource = api.app.get(DataSource);
      const user = await seedUser(api, 'cashier');
      const first = await login(api, user.username);
      const second = (await refreshWith(first.refreshToken)).json();
      await dataSource.query(`
        CREATE FUNCTION fail_reuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'test: audit refused'; END $$;
        CREATE TRIGGER fail_reuse_audit BEFORE INSERT ON audit_logs FOR EACH ROW
          WHEN (NEW.action = 'auth.refresh_reused') EXECUTE FUNCTION fail_reuse_audit();`);
      try {
        const refused = await refreshWith(first.refreshToken);
        expect(refused.statusCode).toBe(500);
        expect(refused.json().code).toBe('INTERNAL');
        // Not revoked without its audit entry: the session still works.
        expect((await me(second.accessToken)).statusCode).toBe(200);
      } finally {
        await dataSource.query(`DROP TRIGGER fail_reuse_audit ON audit_logs;
                                DROP FUNCTION fail_reuse_audit();`);
      }
      expectUnauthenticated(await refreshWith(first.refreshToken));
      expectUnauthenticated(await me(second.accessToken));
      const [{ count }] = await dataSource.query(
        `SELECT count(*)::int AS count FROM audit_logs WHERE action = 'auth.refresh_reused' AND user_id = $1`,
        [user.id],
      );
      expect(count).toBe(1);
    });

    it('two concurrent refreshes with one token: exactly one succeeds', async () => {
      const user = await seedUser(api, 'cashier');
      const { refreshToken } = await login(api, user.username);
      // Both have read the token as unused and wait to mark it used: they surely overlap.
      const results = await whileLocked(
        api.app.get(DataSource),
        `SELECT 1 FROM refresh_tokens WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex') FOR UPDATE`,
        [refreshToken],
        2,
        () =>
          Promise.all(
            [1, 2].map(() =>
              api.request({
                method: 'POST',
                url: '/api/v1/auth/refresh',
                payload: { refreshToken },
              }),
            ),
          ),
      );
      expect(results.map((result) => result.statusCode).sort()).toEqual([200, 401]);
      expectUnauthenticated(results.find((result) => result.statusCode !== 200)!);
    });

    it('an unknown refresh token → 401', async () => {
      const response = await api.request({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refreshToken: randomBytes(32).toString('base64url') },
      });
      expectUnauthenticated(response);
    });

    it('a cleared or truncated refresh token is a bad token (401, back to login), not a bad request', async () => {
      for (const refreshToken of ['', 'abc']) {
        const response = await api.request({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          payload: { refreshToken },
        });
        expectUnauthenticated(response);
      }
      for (const payload of [{}, { refreshToken: 42 }, { refreshToken: 'x'.repeat(201) }]) {
        const response = await api.request({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          payload,
        });
        expect(response.statusCode).toBe(400);
        expect(response.json().code).toBe('VALIDATION_FAILED');
      }
    });

    it('sessions that ended over 30 days ago go with their tokens; others keep every token', async () => {
      const user = await seedUser(api, 'cashier');
      const sessionOf = async (tokens: { refreshToken: string }) => {
        expect((await refreshWith(tokens.refreshToken)).statusCode).toBe(200); // a used token too
        const [{ session_id }] = await api.app
          .get(DataSource)
          .query(
            `SELECT session_id FROM refresh_tokens WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')`,
            [tokens.refreshToken],
          );
        return session_id as string;
      };
      const [live, expiredLongAgo, revokedLongAgo, revokedLately] = await Promise.all(
        [1, 2, 3, 4].map(async () => sessionOf(await login(api, user.username))),
      );
      const dataSource = api.app.get(DataSource);
      await dataSource.query(
        `UPDATE sessions SET expires_at = now() - interval '31 days' WHERE id = $1`,
        [expiredLongAgo],
      );
      await dataSource.query(
        `UPDATE sessions SET revoked_at = now() - interval '31 days', revoked_reason = 'logout' WHERE id = $1`,
        [revokedLongAgo],
      );
      await dataSource.query(
        `UPDATE sessions SET revoked_at = now() - interval '29 days', revoked_reason = 'logout' WHERE id = $1`,
        [revokedLately],
      );
      expect(await api.app.get(SessionCleanup).clean()).toBe(2);
      const tokensOf = async (sessionId: string) => {
        const [{ count }] = await dataSource.query(
          'SELECT count(*)::int AS count FROM refresh_tokens WHERE session_id = $1',
          [sessionId],
        );
        return count as number;
      };
      expect(
        await Promise.all([live, expiredLongAgo, revokedLongAgo, revokedLately].map(tokensOf)),
      ).toEqual([2, 0, 0, 2]);
      const [{ sessions }] = await dataSource.query(
        'SELECT count(*)::int AS sessions FROM sessions WHERE id = ANY($1)',
        [[live, expiredLongAgo, revokedLongAgo, revokedLately]],
      );
      expect(sessions).toBe(2);
    });

    it('logout makes the access and refresh tokens fail at once', async () => {
      const user = await seedUser(api, 'manager');
      const tokens = await login(api, user.username);
      const withFields = await api.request({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: bearer(tokens.accessToken),
        payload: { all: true },
      });
      expect(withFields.statusCode).toBe(400); // logout takes no body: an unknown field
      expect((await me(tokens.accessToken)).statusCode).toBe(200);
      const logout = await api.request({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: bearer(tokens.accessToken),
      });
      expect(logout.statusCode).toBe(204);
      expectUnauthenticated(await me(tokens.accessToken));
      expectUnauthenticated(await refreshWith(tokens.refreshToken));
      expect(await auditActions(user.username)).toEqual(['auth.login', 'auth.logout']);
    });

    /** A signed-in cashier, and an admin's PATCH of that cashier. */
    const cashierUnderAdmin = async () => {
      const admin = await seedUser(api, 'admin');
      const cashier = await seedUser(api, 'cashier', [await seedStore(api)]);
      const adminTokens = await login(api, admin.username);
      const cashierTokens = await login(api, cashier.username);
      const patch = (payload: object) =>
        api.request({
          method: 'PATCH',
          url: `/api/v1/users/${cashier.id}`,
          headers: bearer(adminTokens.accessToken),
          payload,
        });
      return { cashier, cashierTokens, patch };
    };

    it('deactivating a user makes their token fail at once', async () => {
      const { cashier, cashierTokens, patch } = await cashierUnderAdmin();
      const deactivated = await patch({ active: false });
      expect(deactivated.statusCode).toBe(200);
      expect(deactivated.json().active).toBe(false);
      expectUnauthenticated(await me(cashierTokens.accessToken));
      expectUnauthenticated(await loginAttempt(cashier.username, TEST_PASSWORD));
      expectUnauthenticated(await refreshWith(cashierTokens.refreshToken));
      expectUnauthenticated(await loginAttempt(cashier.username, 'not-the-password'));
      const nobody = `nobody-${randomBytes(6).toString('hex')}`;
      expectUnauthenticated(await loginAttempt(nobody, TEST_PASSWORD));
      const reactivated = await patch({ active: true });
      expect(reactivated.statusCode).toBe(200);
      // Deactivation ended the session: reactivating the user does not bring it back.
      expectUnauthenticated(await me(cashierTokens.accessToken));
      // The same 401 for the caller; the auditor tells a former employee's right password apart.
      const reasons = await api.app.get(DataSource).query(
        `SELECT details->>'reason' AS reason FROM audit_logs
          WHERE action = 'auth.login_failed' AND username IN ($1, $2)
          ORDER BY occurred_at, id`,
        [cashier.username, nobody],
      );
      expect(reasons.map((row: { reason: string }) => row.reason)).toEqual([
        'inactive_user',
        'wrong_password',
        'unknown_user',
      ]);
    });

    it('an admin setting a user’s password ends every session of that user', async () => {
      const { cashier, cashierTokens, patch } = await cashierUnderAdmin();
      expect((await patch({ password: 'a-new-password-set-by-admin' })).statusCode).toBe(200);
      expectUnauthenticated(await me(cashierTokens.accessToken));
      expectUnauthenticated(await refreshWith(cashierTokens.refreshToken));
      expectUnauthenticated(await loginAttempt(cashier.username, TEST_PASSWORD));
      expect((await loginAttempt(cashier.username, 'a-new-password-set-by-admin')).statusCode).toBe(
        200,
      );
    });

    it('a sign-in whose password check overlaps an admin’s password reset gets no session', async () => {
      const cashier = await seedUser(api, 'cashier', [await seedStore(api)]);
      const dataSource = api.app.get(DataSource);
      // The reset is under way: the user's row is locked and changed, not yet committed.
      const reset = dataSource.createQueryRunner();
      await reset.connect();
      let signIn: ReturnType<typeof loginAttempt> | undefined;
      try {
        await reset.startTransaction();
        await reset.query(`UPDATE users SET password_hash = 'reset' WHERE id = $1`, [cashier.id]);
        signIn = loginAttempt(cashier.username, TEST_PASSWORD);
        // The sign-in checked the old, committed password; wait until it stands at the row.
        await waitForLockWaiters(dataSource);
        await reset.commitTransaction();
      } finally {
        if (reset.isTransactionActive) await reset.rollbackTransaction();
        await reset.release();
      }
      expect((await signIn).statusCode).toBe(401);
      const [{ sessions }] = await dataSource.query(
        `SELECT count(*)::int AS sessions FROM sessions WHERE user_id = $1`,
        [cashier.id],
      );
      expect(sessions).toBe(0);
    });
  });

  describe('password change', () => {
    it('does not undo an admin’s reset that commits while the current password is checked', async () => {
      const user = await seedUser(api, 'cashier');
      const tokens = await login(api, user.username);
      const dataSource = api.app.get(DataSource);
      const reset = dataSource.createQueryRunner();
      await reset.connect();
      let change: ReturnType<typeof api.request> | undefined;
      try {
        await reset.startTransaction();
        await reset.query(`UPDATE users SET password_hash = 'reset-by-admin' WHERE id = $1`, [
          user.id,
        ]);
        change = api.request({
          method: 'POST',
          url: '/api/v1/auth/password',
          headers: bearer(tokens.accessToken),
          payload: { currentPassword: TEST_PASSWORD, newPassword: 'chosen-by-the-user' },
        });
        await waitForLockWaiters(dataSource);
        await reset.commitTransaction();
      } finally {
        if (reset.isTransactionActive) await reset.rollbackTransaction();
        await reset.release();
      }
      expectUnauthenticated((await change)!);
      const [{ password_hash: hash }] = await dataSource.query(
        `SELECT password_hash FROM users WHERE id = $1`,
        [user.id],
      );
      expect(hash).toBe('reset-by-admin');
    });

    it('needs the current password, enforces 10 characters, and ends other sessions', async () => {
      const user = await seedUser(api, 'cashier');
      const here = await login(api, user.username);
      const elsewhere = await login(api, user.username);
      const change = (payload: object) =>
        api.request({
          method: 'POST',
          url: '/api/v1/auth/password',
          headers: bearer(here.accessToken),
          payload,
        });
      expect(
        (await change({ currentPassword: TEST_PASSWORD, newPassword: 'short' })).statusCode,
      ).toBe(400);
      expectUnauthenticated(
        await change({ currentPassword: 'wrong-password', newPassword: 'a-new-password-1' }),
      );
      expect(
        (await change({ currentPassword: TEST_PASSWORD, newPassword: 'a-new-password-1' }))
          .statusCode,
      ).toBe(204);
      expect(
        (
          await api.request({
            method: 'GET',
            url: '/api/v1/auth/me',
            headers: bearer(here.accessToken),
          })
        ).statusCode,
      ).toBe(200);
      expectUnauthenticated(await me(elsewhere.accessToken));
      expect((await loginAttempt(user.username, 'a-new-password-1')).statusCode).toBe(200);
    });

    it('wrong current passwords count towards the sign-in lockout, even sent all at once', async () => {
      const user = await seedUser(api, 'cashier');
      const ip = randomIp();
      const session = await api.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: user.username, password: TEST_PASSWORD },
        remoteAddress: ip,
      });
      const change = (currentPassword: string) =>
        api.request({
          method: 'POST',
          url: '/api/v1/auth/password',
          headers: bearer(session.json().accessToken),
          payload: { currentPassword, newPassword: 'a-new-password-1' },
          remoteAddress: ip,
        });
      const guesses = await Promise.all(
        Array.from({ length: 8 }, (_, i) => change(`guess-number-${i}`)),
      );
      const statuses = guesses.map((response) => response.statusCode).sort();
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
      expect(guesses.map((response) => response.json().code).sort()).toEqual([
        ...Array(3).fill('TOO_MANY_REQUESTS'),
        ...Array(5).fill('UNAUTHENTICATED'),
      ]);
      // Locked out now: the right password is refused too, for the change and for signing in.
      const right = await change(TEST_PASSWORD);
      expect(right.statusCode).toBe(429);
      expect(right.json().code).toBe('TOO_MANY_REQUESTS');
      expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
      const signIn = await loginAttempt(user.username, TEST_PASSWORD, ip);
      expect(signIn.statusCode).toBe(429);
      expect(signIn.json().code).toBe('TOO_MANY_REQUESTS');
      const actions = await auditActions(user.username);
      expect(actions.filter((action: string) => action === 'auth.login_failed')).toHaveLength(5);
      expect(actions).toContain('auth.locked_out');
    });
  });
});
