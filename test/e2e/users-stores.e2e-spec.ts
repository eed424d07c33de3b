import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Role } from '../../src/common/auth/auth-user';
import { startTestApp, TestApp } from '../support/app';
import { bearer, seedStore, signedIn } from '../support/auth';
import { whileLocked } from '../support/pg-activity';

const code = () => `T${randomBytes(3).toString('hex').toUpperCase()}`;

describe('users and stores', () => {
  let api: TestApp;
  let storeA: string;
  let storeB: string;
  const tokens: Record<Role, string> = { admin: '', manager: '', cashier: '' };

  beforeAll(async () => {
    api = await startTestApp();
    storeA = await seedStore(api);
    storeB = await seedStore(api);
    tokens.admin = (await signedIn(api, 'admin')).token;
    tokens.manager = (await signedIn(api, 'manager', [storeA])).token;
    tokens.cashier = (await signedIn(api, 'cashier', [storeA])).token;
  });
  afterAll(() => api.close());

  const call = (
    role: Role | 'anonymous',
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    payload?: object,
  ) =>
    api.request({
      method,
      url: `/api/v1${url}`,
      headers: role === 'anonymous' ? {} : bearer(tokens[role]),
      payload,
    });

  describe('role matrix', () => {
    const newUser = () => ({
      username: `u${randomBytes(4).toString('hex')}`,
      password: 'a-long-password',
      fullName: 'New Person',
      role: 'cashier',
      storeIds: [storeA],
    });
    const endpoints: {
      name: string;
      request: (role: Role | 'anonymous') => ReturnType<typeof call>;
      allowed: Role[];
      success: number;
    }[] = [
      {
        name: 'GET /users',
        request: (role) => call(role, 'GET', '/users'),
        allowed: ['admin'],
        success: 200,
      },
      {
        name: 'POST /users',
        request: (role) => call(role, 'POST', '/users', newUser()),
        allowed: ['admin'],
        success: 201,
      },
      {
        name: 'GET /users/:id',
        request: async (role) => call(role, 'GET', `/users/${await someUserId()}`),
        allowed: ['admin'],
        success: 200,
      },
      {
        name: 'PATCH /users/:id',
        request: async (role) =>
          call(role, 'PATCH', `/users/${await someUserId()}`, { fullName: 'Renamed' }),
        allowed: ['admin'],
        success: 200,
      },
      {
        name: 'GET /stores',
        request: (role) => call(role, 'GET', '/stores'),
        allowed: ['admin', 'manager', 'cashier'],
        success: 200,
      },
      {
        name: 'POST /stores',
        request: (role) => call(role, 'POST', '/stores', { code: code(), name: 'New store' }),
        allowed: ['admin'],
        success: 201,
      },
      {
        name: 'GET /stores/:id (own store)',
        request: (role) => call(role, 'GET', `/stores/${storeA}`),
        allowed: ['admin', 'manager', 'cashier'],
        success: 200,
      },
      {
        name: 'PATCH /stores/:id',
        request: (role) => call(role, 'PATCH', `/stores/${storeA}`, { name: 'Renamed store' }),
        allowed: ['admin'],
        success: 200,
      },
    ];

    async function someUserId(): Promise<string> {
      const [row] = await api.app
        .get(DataSource)
        .query(`SELECT id FROM users WHERE role = 'cashier' LIMIT 1`);
      return row.id;
    }

    for (const endpoint of endpoints) {
      for (const role of ['admin', 'manager', 'cashier'] as Role[]) {
        const allowed = endpoint.allowed.includes(role);
        it(`${endpoint.name} as ${role} → ${allowed ? endpoint.success : 403}`, async () => {
          const response = await endpoint.request(role);
          expect(response.statusCode).toBe(allowed ? endpoint.success : 403);
          if (!allowed) expect(response.json().code).toBe('FORBIDDEN');
        });
      }
      it(`${endpoint.name} without a token → 401`, async () => {
        const response = await endpoint.request('anonymous');
        expect(response.statusCode).toBe(401);
        expect(response.json().code).toBe('UNAUTHENTICATED');
      });
    }
  });

  describe('store scoping', () => {
    it('a manager or cashier asking for another store gets 404, never its data', async () => {
      for (const role of ['manager', 'cashier'] as Role[]) {
        const response = await call(role, 'GET', `/stores/${storeB}`);
        expect(response.statusCode).toBe(404);
        expect(response.json().code).toBe('NOT_FOUND');
        expect(response.body).not.toContain(storeB);
      }
      expect((await call('admin', 'GET', `/stores/${storeB}`)).statusCode).toBe(200);
    });

    it('lists only the stores the caller may see', async () => {
      const managerList = (await call('manager', 'GET', '/stores')).json();
      expect(managerList.data.map((store: { id: string }) => store.id)).toEqual([storeA]);
      expect(managerList.total).toBe(1);
      const adminList = (await call('admin', 'GET', '/stores?pageSize=200')).json();
      expect(adminList.data.map((store: { id: string }) => store.id)).toEqual(
        expect.arrayContaining([storeA, storeB]),
      );
    });

    it('an unknown store id → 404; a malformed one → 400', async () => {
      const unknown = await call('admin', 'GET', `/stores/${randomUUID()}`);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().code).toBe('NOT_FOUND');
      const malformed = await call('admin', 'GET', '/stores/not-a-uuid');
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().details).toEqual([{ field: 'id', problems: ['id must be a UUID'] }]);
    });
  });

  describe('stores', () => {
    it('creates a store with defaults, normalizes its phone and audits it', async () => {
      const storeCode = code();
      const response = await call('admin', 'POST', '/stores', {
        code: storeCode,
        name: 'Kisumu Mall',
        phone: '0712 345 678',
        lowStockEmails: ['stock@example.co.ke'],
        kraPin: 'P051234567X',
      });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({
        code: storeCode,
        currency: 'KES',
        timeZone: 'Africa/Nairobi',
        phone: '+254712345678',
        lowStockEmails: ['stock@example.co.ke'],
        active: true,
      });
      const [audit] = await api.app
        .get(DataSource)
        .query(`SELECT action, details FROM audit_logs WHERE entity_id = $1`, [response.json().id]);
      expect(audit.action).toBe('store.created');
      // Every starting value, so the first store.updated's `from` has a recorded origin.
      const { id: _id, createdAt: _createdAt, ...startingValues } = response.json();
      expect(audit.details).toEqual(startingValues);
    });

    it('refuses a duplicate code with 409 CONFLICT', async () => {
      const storeCode = code();
      expect(
        (await call('admin', 'POST', '/stores', { code: storeCode, name: 'One' })).statusCode,
      ).toBe(201);
      const duplicate = await call('admin', 'POST', '/stores', { code: storeCode, name: 'Two' });
      expect(duplicate.statusCode).toBe(409);
      expect(duplicate.json().code).toBe('CONFLICT');
    });

    it('validates code, time zone, phone, KRA PIN and emails', async () => {
      const response = await call('admin', 'POST', '/stores', {
        code: 'lower',
        name: 'Bad',
        timeZone: 'Mars/Olympus',
        phone: '12345',
        kraPin: 'nope',
        lowStockEmails: ['not-an-email'],
      });
      expect(response.statusCode).toBe(400);
      const fields = response.json().details.map((detail: { field: string }) => detail.field);
      expect(fields).toEqual(
        expect.arrayContaining(['code', 'timeZone', 'phone', 'kraPin', 'lowStockEmails']),
      );
    });

    it('takes only zone names JavaScript and PostgreSQL read alike: no abbreviations, exact case', async () => {
      // CAT is unknown to PostgreSQL, IST is Israel there and India in ICU, CET is a fixed
      // +01:00 there as an abbreviation; upper case is accepted by ICU, not stored as given.
      for (const timeZone of ['CAT', 'IST', 'CET', 'AFRICA/NAIROBI', 'Africa/Nowhere']) {
        const response = await call('admin', 'PATCH', `/stores/${storeA}`, { timeZone });
        expect({ timeZone, status: response.statusCode }).toEqual({ timeZone, status: 400 });
        expect(response.json().details).toEqual([
          { field: 'timeZone', problems: [expect.any(String)] },
        ]);
      }
      for (const timeZone of ['Asia/Kolkata', 'UTC', 'Africa/Nairobi']) {
        const response = await call('admin', 'PATCH', `/stores/${storeA}`, { timeZone });
        expect({ timeZone, status: response.statusCode }).toEqual({ timeZone, status: 200 });
      }
    });

    it('refuses null for a field that cannot be empty (400, not 500) and clears one that can', async () => {
      const created = await call('admin', 'POST', '/stores', {
        code: code(),
        name: 'Nulls',
        timeZone: null,
        currency: null,
        lowStockEmails: null,
      });
      expect(created.statusCode).toBe(400);
      expect(
        created
          .json()
          .details.map((detail: { field: string }) => detail.field)
          .sort(),
      ).toEqual(['currency', 'lowStockEmails', 'timeZone']);
      for (const field of ['code', 'name', 'timeZone', 'currency', 'lowStockEmails', 'active']) {
        const patched = await call('admin', 'PATCH', `/stores/${storeA}`, { [field]: null });
        expect({ field, status: patched.statusCode }).toEqual({ field, status: 400 });
        expect(patched.json().details[0].field).toBe(field);
      }
      const withAddress = await call('admin', 'POST', '/stores', {
        code: code(),
        name: 'Clearable',
        address: 'Moi Avenue 1',
      });
      const cleared = await call('admin', 'PATCH', `/stores/${withAddress.json().id}`, {
        address: null,
        phone: null,
        kraPin: null,
      });
      expect(cleared.statusCode).toBe(200);
      expect(cleared.json()).toMatchObject({ address: null, phone: null, kraPin: null });
    });

    it('takes a store id in upper case as the same id', async () => {
      const response = await call('manager', 'GET', `/stores/${storeA.toUpperCase()}`);
      expect(response.statusCode).toBe(200);
      expect(response.json().id).toBe(storeA);
    });

    it('updates a store and audits the change', async () => {
      const response = await call('admin', 'PATCH', `/stores/${storeB}`, {
        timeZone: 'Africa/Kampala',
        active: false,
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ timeZone: 'Africa/Kampala', active: false });
      const rows = await api.app
        .get(DataSource)
        .query(`SELECT details FROM audit_logs WHERE action = 'store.updated' AND entity_id = $1`, [
          storeB,
        ]);
      expect(rows[0].details).toEqual({
        code: expect.any(String),
        changed: ['active', 'timeZone'],
        from: { active: true, timeZone: 'Africa/Nairobi' },
        to: { active: false, timeZone: 'Africa/Kampala' },
      });
      // The same values again, or nothing: no write and no second audit entry.
      for (const payload of [{}, { timeZone: 'Africa/Kampala', active: false }]) {
        const again = await call('admin', 'PATCH', `/stores/${storeB}`, payload);
        expect(again.statusCode).toBe(200);
        expect(again.json()).toEqual(response.json());
      }
      const [{ entries }] = await api.app
        .get(DataSource)
        .query(
          `SELECT count(*)::int AS entries FROM audit_logs WHERE action = 'store.updated' AND entity_id = $1`,
          [storeB],
        );
      expect(entries).toBe(1);
    });
  });

  describe('users', () => {
    it('creates a user (never returning a hash) and refuses the same username in another case', async () => {
      const username = `Jane${randomBytes(3).toString('hex')}`;
      const payload = {
        username,
        password: 'a-long-password',
        fullName: 'Jane W',
        role: 'manager',
        storeIds: [storeA],
        commissionRate: 2.5,
        email: 'jane@example.co.ke',
      };
      const created = await call('admin', 'POST', '/users', payload);
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({
        username,
        role: 'manager',
        storeIds: [storeA],
        commissionRate: 2.5,
        active: true,
      });
      expect(created.body).not.toMatch(/password/i);
      const duplicate = await call('admin', 'POST', '/users', {
        ...payload,
        username: username.toLowerCase(),
      });
      expect(duplicate.statusCode).toBe(409);
      expect(duplicate.json().code).toBe('CONFLICT');
    });

    it('validates role, password length, commission and store ids', async () => {
      const response = await call('admin', 'POST', '/users', {
        username: 'x',
        password: 'short',
        fullName: '',
        role: 'owner',
        storeIds: ['nope'],
        commissionRate: 2.555,
      });
      expect(response.statusCode).toBe(400);
      const fields = response.json().details.map((detail: { field: string }) => detail.field);
      expect(fields).toEqual(
        expect.arrayContaining([
          'username',
          'password',
          'fullName',
          'role',
          'storeIds',
          'commissionRate',
        ]),
      );
    });

    it('refuses a commission rate written without a decimal point but below 0.01 %', async () => {
      const created = await call('admin', 'POST', '/users', {
        username: `c${randomBytes(3).toString('hex')}`,
        password: 'a-long-password',
        fullName: 'Tiny Rate',
        role: 'admin',
        storeIds: [],
        commissionRate: 5e-7,
      });
      expect(created.statusCode).toBe(400);
      expect(created.json().details).toEqual([
        {
          field: 'commissionRate',
          problems: ['commissionRate must be a percentage with at most 2 decimals'],
        },
      ]);
      const target = (await call('admin', 'GET', '/users?pageSize=1')).json().data[0];
      const updated = await call('admin', 'PATCH', `/users/${target.id}`, {
        commissionRate: -5e-7,
      });
      expect(updated.statusCode).toBe(400);
      expect(updated.json().code).toBe('VALIDATION_FAILED');
    });

    it('refuses stores that do not exist and a cashier with no store', async () => {
      const base = { password: 'a-long-password', fullName: 'X', role: 'cashier' };
      const unknown = await call('admin', 'POST', '/users', {
        ...base,
        username: `u${randomBytes(3).toString('hex')}`,
        storeIds: [randomUUID()],
      });
      expect(unknown.statusCode).toBe(400);
      const none = await call('admin', 'POST', '/users', {
        ...base,
        username: `u${randomBytes(3).toString('hex')}`,
        storeIds: [],
      });
      expect(none.statusCode).toBe(400);
    });

    it('lists with filters and pagination', async () => {
      const response = await call(
        'admin',
        'GET',
        `/users?role=cashier&storeId=${storeA}&page=1&pageSize=1`,
      );
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body).toMatchObject({ page: 1, pageSize: 1 });
      expect(body.data).toHaveLength(1);
      expect(body.data[0]).toMatchObject({ role: 'cashier', storeIds: [storeA] });
      expect((await call('admin', 'GET', '/users?pageSize=201')).statusCode).toBe(400);
    });

    it('refuses null for a field that cannot be empty (400, not 500) and clears the email', async () => {
      const newCashier = () => ({
        username: `u${randomBytes(4).toString('hex')}`,
        password: 'a-long-password',
        fullName: 'Null Tester',
        email: 'null.tester@example.co.ke',
        role: 'cashier',
        storeIds: [storeA.toUpperCase()],
      });
      const user = await call('admin', 'POST', '/users', { ...newCashier(), commissionRate: null });
      expect(user.statusCode).toBe(400);
      expect(user.json().details).toEqual([expect.objectContaining({ field: 'commissionRate' })]);
      const created = await call('admin', 'POST', '/users', newCashier());
      expect(created.json().storeIds).toEqual([storeA]);
      const id = created.json().id;
      for (const field of [
        'fullName',
        'role',
        'storeIds',
        'commissionRate',
        'active',
        'password',
      ]) {
        const patched = await call('admin', 'PATCH', `/users/${id}`, { [field]: null });
        expect({ field, status: patched.statusCode }).toEqual({ field, status: 400 });
        expect(patched.json().details[0].field).toBe(field);
      }
      const cleared = await call('admin', 'PATCH', `/users/${id}`, { email: null });
      expect(cleared.statusCode).toBe(200);
      expect(cleared.json()).toMatchObject({ email: null, active: true, role: 'cashier' });
    });

    it('audits each change with the values it set (never the password), so deactivating and reactivating differ', async () => {
      const created = await call('admin', 'POST', '/users', {
        username: `u${randomBytes(4).toString('hex')}`,
        password: 'a-long-password',
        fullName: 'Audited Person',
        role: 'cashier',
        storeIds: [storeA],
      });
      const id = created.json().id;
      for (const payload of [
        { active: false },
        { active: true, commissionRate: 3.5, password: 'another-long-password' },
        { role: 'manager', storeIds: [storeA, storeB] },
      ]) {
        expect((await call('admin', 'PATCH', `/users/${id}`, payload)).statusCode).toBe(200);
      }
      const rows: { details: Record<string, unknown> }[] = await api.app.get(DataSource).query(
        `SELECT details FROM audit_logs WHERE action = 'user.updated' AND entity_id = $1
            ORDER BY occurred_at, id`,
        [id],
      );
      expect(rows.map((row) => row.details)).toEqual([
        { changed: ['active'], active: false, from: { active: true } },
        {
          changed: ['active', 'commissionRate', 'password'],
          active: true,
          commissionRate: 3.5,
          from: { active: false, commissionRate: 0 },
        },
        {
          changed: ['role', 'storeIds'],
          role: 'manager',
          storeIds: [storeA, storeB],
          from: { role: 'cashier', storeIds: [storeA] },
        },
      ]);
      const [{ details: starting }] = await api.app
        .get(DataSource)
        .query(`SELECT details FROM audit_logs WHERE action = 'user.created' AND entity_id = $1`, [
          id,
        ]);
      expect(starting).toEqual({
        username: created.json().username,
        fullName: 'Audited Person',
        email: null,
        role: 'cashier',
        commissionRate: 0,
        storeIds: [storeA],
      });
    });

    it('an unknown user → 404', async () => {
      const unknown = await call('admin', 'GET', `/users/${randomUUID()}`);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().code).toBe('NOT_FOUND');
    });

    it('a manager demoted to cashier is refused manager-only work with their existing token (403)', async () => {
      const { user, token } = await signedIn(api, 'manager', [storeA]);
      const asManager = (url: string, payload: object) =>
        api.request({ method: 'POST', url: `/api/v1${url}`, headers: bearer(token), payload });
      const product = () => ({
        sku: `SKU-${randomBytes(4).toString('hex')}`,
        name: `Demotion ${randomBytes(4).toString('hex')}`,
        unitPrice: 1000,
      });
      // Still a manager: allowed.
      const before = await asManager('/products', product());
      expect(before.statusCode).toBe(201);

      const demoted = await call('admin', 'PATCH', `/users/${user.id}`, { role: 'cashier' });
      expect(demoted.statusCode).toBe(200);
      expect(demoted.json().role).toBe('cashier');

      // The session lives on (a role change does not sign anyone out) with the new role.
      const me = await api.request({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: bearer(token),
      });
      expect(me.statusCode).toBe(200);
      expect(me.json().role).toBe('cashier');
      const refused = await asManager('/products', product());
      expect(refused.statusCode).toBe(403);
      expect(refused.json().code).toBe('FORBIDDEN');
      const adjustment = await asManager(`/stores/${storeA}/inventory/adjustments`, {
        productId: before.json().id,
        delta: 1,
        reason: 'receiving',
      });
      expect(adjustment.statusCode).toBe(403);
      expect(adjustment.json().code).toBe('FORBIDDEN');
      const [{ products }] = await api.app
        .get(DataSource)
        .query(`SELECT count(*)::int AS products FROM products WHERE name LIKE 'Demotion %'`);
      expect(products).toBe(1);
    });
  });
});

describe('the last active admin', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(() => api.close());

  it('cannot be deactivated or demoted (409 INVALID_STATE), by themselves or anyone', async () => {
    const first = await signedIn(api, 'admin');
    await api.app
      .get(DataSource)
      .query(`UPDATE users SET active = false WHERE role = 'admin' AND id <> $1`, [first.user.id]);
    const store = await seedStore(api);
    const patch = (token: string, id: string, payload: object) =>
      api.request({
        method: 'PATCH',
        url: `/api/v1/users/${id}`,
        headers: bearer(token),
        payload,
      });

    for (const change of [{ active: false }, { role: 'manager', storeIds: [store] }]) {
      const refused = await patch(first.token, first.user.id, change);
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ code: 'INVALID_STATE' });
    }
    expect((await patch(first.token, first.user.id, { fullName: 'Still Admin' })).statusCode).toBe(
      200,
    );

    // With a second active admin, either may step down, but not both.
    const second = await signedIn(api, 'admin');
    expect((await patch(second.token, first.user.id, { active: false })).statusCode).toBe(200);
    const last = await patch(second.token, second.user.id, { role: 'cashier', storeIds: [store] });
    expect(last.statusCode).toBe(409);
    expect(last.json().code).toBe('INVALID_STATE');
  });

  it('two admins demoting each other at once leave one of them admin', async () => {
    const a = await signedIn(api, 'admin');
    const b = await signedIn(api, 'admin');
    await api.app
      .get(DataSource)
      .query(`UPDATE users SET active = false WHERE role = 'admin' AND id <> ALL($1::uuid[])`, [
        [a.user.id, b.user.id],
      ]);
    // Both requests are signed in and wait on the turn for admin changes: they surely overlap.
    const [byA, byB] = await whileLocked(
      api.app.get(DataSource),
      `SELECT pg_advisory_xact_lock(hashtext('pos:active-admins'))`,
      [],
      2,
      () =>
        Promise.all([
          api.request({
            method: 'PATCH',
            url: `/api/v1/users/${b.user.id}`,
            headers: bearer(a.token),
            payload: { active: false },
          }),
          api.request({
            method: 'PATCH',
            url: `/api/v1/users/${a.user.id}`,
            headers: bearer(b.token),
            payload: { active: false },
          }),
        ]),
    );
    // The loser is refused as the last admin.
    expect([byA.statusCode, byB.statusCode].sort()).toEqual([200, 409]);
    const loser = byA.statusCode === 409 ? byA : byB;
    expect(loser.json().code).toBe('INVALID_STATE');
    const [{ admins }] = await api.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS admins FROM users WHERE role = 'admin' AND active`);
    expect(admins).toBe(1);
  });
});
