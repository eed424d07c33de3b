import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Role } from '../../src/common/auth/auth-user';
import { startTestApp, TestApp } from '../support/app';
import { bearer, seedStore, signedIn } from '../support/auth';

const unique = (prefix: string) => `${prefix}${randomBytes(4).toString('hex')}`;

describe('catalogue', () => {
  let api: TestApp;
  const users: Record<Role, { id: string; token: string }> = {
    admin: { id: '', token: '' },
    manager: { id: '', token: '' },
    cashier: { id: '', token: '' },
  };

  beforeAll(async () => {
    api = await startTestApp();
    const store = await seedStore(api);
    for (const role of ['admin', 'manager', 'cashier'] as const) {
      const { user, token } = await signedIn(api, role, role === 'admin' ? [] : [store]);
      users[role] = { id: user.id, token };
    }
  });
  afterAll(() => api.close());

  const call = (role: Role, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    api.request({ method, url: `/api/v1${url}`, headers: bearer(users[role].token), payload });

  const newProduct = (overrides: object = {}) => ({
    sku: unique('SKU-'),
    name: unique('Product '),
    unitPrice: 6500,
    ...overrides,
  });

  async function createProduct(overrides: object = {}): Promise<Record<string, unknown>> {
    const response = await call('admin', 'POST', '/products', newProduct(overrides));
    if (response.statusCode !== 201) throw new Error(`create failed: ${response.body}`);
    return response.json();
  }

  const fieldsOf = (body: { details: { field: string }[] }) =>
    body.details.map((detail) => detail.field);

  const auditDetails = async (action: string, productId: string) =>
    api.app
      .get(DataSource)
      .query(
        `SELECT user_id, entity_type, details FROM audit_logs WHERE action = $1 AND entity_id = $2`,
        [action, productId],
      );

  describe('create, get and update', () => {
    it('creates a product for a manager with the defaults, and audits it', async () => {
      const payload = newProduct({ barcode: '4006381333931', category: 'Stationery' });
      const response = await call('manager', 'POST', '/products', payload);
      expect(response.statusCode).toBe(201);
      const product = response.json();
      expect(product).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        sku: payload.sku,
        barcode: '4006381333931',
        name: payload.name,
        category: 'Stationery',
        unitPrice: 6500,
        costPrice: 0,
        taxClass: 'standard',
        reorderLevel: 0,
        active: true,
      });
      const [audit] = await auditDetails('product.created', product.id);
      expect(audit).toMatchObject({ user_id: users.manager.id, entity_type: 'product' });
      // Every starting value, so a later product.updated's `from` has a known origin.
      const { id: _id, active: _active, ...startingValues } = product;
      expect(audit.details).toEqual(startingValues);
      expect(Object.keys(startingValues)).toHaveLength(8);
    });

    it('gets a product by id, for a cashier too', async () => {
      const created = await createProduct({ costPrice: 5200, taxClass: 'zero', reorderLevel: 12 });
      const response = await call('cashier', 'GET', `/products/${created.id}`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(created);
      expect(created).toMatchObject({ costPrice: 5200, taxClass: 'zero', reorderLevel: 12 });
    });

    it('answers 404 NOT_FOUND for an unknown id and 400 for an id that is not a UUID', async () => {
      const unknown = await call('admin', 'GET', `/products/${randomUUID()}`);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().code).toBe('NOT_FOUND');
      const patched = await call('admin', 'PATCH', `/products/${randomUUID()}`, { name: 'X' });
      expect(patched.statusCode).toBe(404);
      expect(patched.json().code).toBe('NOT_FOUND');
      const malformed = await call('admin', 'GET', '/products/not-a-uuid');
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ field: 'id', problems: ['id must be a UUID'] }],
      });
    });

    it('updates the given fields, clears the barcode with null, and audits the change', async () => {
      const created = await createProduct({ barcode: '036000291452', category: 'Snacks' });
      const response = await call('manager', 'PATCH', `/products/${created.id}`, {
        unitPrice: 7000,
        barcode: null,
        name: '  Wrigley Gum  ',
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        ...created,
        unitPrice: 7000,
        barcode: null,
        name: 'Wrigley Gum',
      });
      expect((await call('admin', 'GET', `/products/${created.id}`)).json()).toEqual(
        response.json(),
      );
      const [audit] = await auditDetails('product.updated', created.id as string);
      expect(audit.user_id).toBe(users.manager.id);
      expect(audit.details).toEqual({
        sku: created.sku,
        changed: ['barcode', 'name', 'unitPrice'],
        from: { barcode: '036000291452', name: created.name, unitPrice: 6500 },
        to: { barcode: null, name: 'Wrigley Gum', unitPrice: 7000 },
      });
    });

    it('writes nothing and audits nothing for a PATCH that changes nothing', async () => {
      const created = await createProduct({ category: 'Snacks' });
      for (const payload of [{}, { category: 'Snacks', unitPrice: created.unitPrice }]) {
        const response = await call('manager', 'PATCH', `/products/${created.id}`, payload);
        expect(response.statusCode).toBe(200);
        expect(response.json()).toEqual(created);
      }
      expect(await auditDetails('product.updated', created.id as string)).toEqual([]);
    });

    it('refuses null for a field that cannot be empty', async () => {
      const created = await createProduct();
      const response = await call('admin', 'PATCH', `/products/${created.id}`, {
        name: null,
        unitPrice: null,
        active: null,
      });
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response.json()).sort()).toEqual(['active', 'name', 'unitPrice']);
    });
  });

  describe('validation', () => {
    it('counts characters as the database does: 200 ❤️ are 400 characters, too long for a name', async () => {
      const heart = '\u2764\uFE0F';
      const tooLong = await call('admin', 'POST', '/products', {
        sku: `HEART-${Date.now()}`,
        name: heart.repeat(200),
        unitPrice: 100,
      });
      expect(tooLong.statusCode).toBe(400);
      expect(fieldsOf(tooLong.json())).toEqual(['name']);
      const fits = await call('admin', 'POST', '/products', {
        sku: `HEART-${Date.now()}-2`,
        name: heart.repeat(100),
        unitPrice: 100,
      });
      expect(fits.statusCode).toBe(201);
      expect(fits.json().name).toBe(heart.repeat(100));
    });

    it('refuses a barcode of 8, 12 or 13 digits with a wrong GTIN check digit', async () => {
      for (const barcode of ['4006381333932', '036000291453', '96385075']) {
        const response = await call('admin', 'POST', '/products', newProduct({ barcode }));
        expect(response.statusCode).toBe(400);
        expect(response.json()).toMatchObject({
          code: 'VALIDATION_FAILED',
          details: [{ field: 'barcode', problems: [expect.stringMatching(/check digit/)] }],
        });
      }
    });

    it('accepts a valid EAN-8 and a shop code that is not a GTIN', async () => {
      for (const barcode of ['96385074', unique('SHOP-')]) {
        const response = await call('admin', 'POST', '/products', newProduct({ barcode }));
        expect(response.statusCode).toBe(201);
        expect(response.json().barcode).toBe(barcode);
      }
    });

    it.each([
      ['a float price', { unitPrice: 65.5 }, 'unitPrice'],
      ['a negative price', { unitPrice: -1 }, 'unitPrice'],
      ['a price as a string', { unitPrice: '6500' }, 'unitPrice'],
      ['a price over 10^12', { unitPrice: 1_000_000_000_001 }, 'unitPrice'],
      ['a negative cost', { costPrice: -5 }, 'costPrice'],
      ['an unknown tax class', { taxClass: 'luxury' }, 'taxClass'],
      ['a fractional reorder level', { reorderLevel: 1.5 }, 'reorderLevel'],
      ['a SKU with spaces', { sku: 'has space' }, 'sku'],
      ['an empty name', { name: '   ' }, 'name'],
      ['an unknown field', { price: 100 }, 'price'],
    ])('refuses %s with 400 VALIDATION_FAILED', async (_case, overrides, field) => {
      const response = await call('admin', 'POST', '/products', newProduct(overrides));
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(response.json())).toEqual([field]);
    });

    it('refuses pageSize 201 and an active flag that is not true or false', async () => {
      const tooBig = await call('cashier', 'GET', '/products?pageSize=201');
      expect(tooBig.statusCode).toBe(400);
      expect(fieldsOf(tooBig.json())).toEqual(['pageSize']);
      const active = await call('cashier', 'GET', '/products?active=yes');
      expect(fieldsOf(active.json())).toEqual(['active']);
    });
  });

  describe('uniqueness', () => {
    it('refuses a duplicate SKU with 409 CONFLICT, on create and on update', async () => {
      const first = await createProduct();
      const duplicate = await call('admin', 'POST', '/products', newProduct({ sku: first.sku }));
      expect(duplicate.statusCode).toBe(409);
      expect(duplicate.json()).toMatchObject({
        code: 'CONFLICT',
        details: [{ field: 'sku', problems: ['already used by another product'] }],
      });
      const other = await createProduct();
      const renamed = await call('admin', 'PATCH', `/products/${other.id}`, { sku: first.sku });
      expect(renamed.statusCode).toBe(409);
      expect(renamed.json().details[0].field).toBe('sku');
    });

    it('refuses a duplicate barcode with 409 CONFLICT', async () => {
      await createProduct({ barcode: '5449000000996' });
      const duplicate = await call(
        'admin',
        'POST',
        '/products',
        newProduct({ barcode: '5449000000996' }),
      );
      expect(duplicate.statusCode).toBe(409);
      expect(duplicate.json()).toMatchObject({
        code: 'CONFLICT',
        details: [{ field: 'barcode' }],
      });
    });
  });

  describe('roles', () => {
    it('refuses a cashier creating or updating a product with 403 FORBIDDEN', async () => {
      const created = await createProduct();
      const create = await call('cashier', 'POST', '/products', newProduct());
      expect(create.statusCode).toBe(403);
      expect(create.json().code).toBe('FORBIDDEN');
      const update = await call('cashier', 'PATCH', `/products/${created.id}`, { unitPrice: 1 });
      expect(update.statusCode).toBe(403);
      expect(update.json().code).toBe('FORBIDDEN');
    });

    it('lets a cashier list and look up products', async () => {
      const created = await createProduct({ barcode: '9780306406157' });
      expect((await call('cashier', 'GET', '/products')).statusCode).toBe(200);
      const scanned = await call('cashier', 'GET', '/products/barcode/9780306406157');
      expect(scanned.statusCode).toBe(200);
      expect(scanned.json()).toEqual(created);
    });

    it.each([
      ['GET', '/products'],
      ['POST', '/products'],
      ['GET', '/products/barcode/9780306406157'],
      ['GET', `/products/${randomUUID()}`],
      ['PATCH', `/products/${randomUUID()}`],
    ] as const)('refuses %s %s without a token with 401 UNAUTHENTICATED', async (method, url) => {
      const payload = method === 'GET' ? undefined : {};
      const response = await api.request({ method, url: `/api/v1${url}`, payload });
      expect(response.statusCode).toBe(401);
      expect(response.json().code).toBe('UNAUTHENTICATED');
    });
  });

  it('answers 404 NOT_FOUND for a barcode no product carries', async () => {
    const response = await call('cashier', 'GET', '/products/barcode/0000000000000');
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('NOT_FOUND');
  });

  describe('listing and search', () => {
    it('refuses an empty exact filter (a till’s empty scan) instead of listing everything', async () => {
      await createProduct();
      for (const query of ['barcode=', 'category=']) {
        const refused = await call('cashier', 'GET', `/products?${query}`);
        expect({ query, status: refused.statusCode }).toEqual({ query, status: 400 });
      }
      // An empty search box searches for nothing in particular.
      const plain = (await call('cashier', 'GET', '/products')).json();
      expect((await call('cashier', 'GET', '/products?search=')).json().total).toBe(plain.total);
    });

    const token = unique('t');
    const dairy = `${token}-dairy`;
    const bakery = `${token}-bakery`;
    const products: Record<string, Record<string, unknown>> = {};

    beforeAll(async () => {
      const rows = {
        milk: { name: `${token} Brookside Milk 500 ml`, sku: `${token}-MLK-500`, category: dairy },
        yoghurt: { name: `${token} Yoghurt 100% natural`, category: dairy },
        percent: { name: `${token} Yoghurt 100 percent natural`, category: bakery },
        underscore: { name: `${token} Bread_white`, category: bakery },
        lookalike: { name: `${token} Breadxwhite`, category: bakery },
      };
      for (const [key, row] of Object.entries(rows)) {
        products[key] = await createProduct({ barcode: `${token}-${key}`, ...row });
      }
      const retired = await call('admin', 'PATCH', `/products/${products.lookalike.id}`, {
        active: false,
      });
      products.lookalike = retired.json();
    });

    async function list(query: Record<string, string>) {
      const response = await call('cashier', 'GET', `/products?${new URLSearchParams(query)}`);
      expect(response.statusCode).toBe(200);
      return response.json();
    }
    const names = (page: { data: { name: string }[] }) => page.data.map((row) => row.name);

    it('filters by category, ordered by name, in the page envelope', async () => {
      expect(await list({ category: dairy })).toEqual({
        data: [products.milk, products.yoghurt],
        page: 1,
        pageSize: 50,
        total: 2,
      });
      const second = await list({ category: dairy, page: '2', pageSize: '1' });
      expect(second).toMatchObject({ data: [products.yoghurt], page: 2, pageSize: 1, total: 2 });
    });

    it('searches name, SKU and barcode case-insensitively', async () => {
      expect(names(await list({ search: `${token.toUpperCase()} BROOKSIDE` }))).toEqual([
        products.milk.name,
      ]);
      expect(names(await list({ search: `${token}-mlk-5` }))).toEqual([products.milk.name]);
      expect(names(await list({ search: `${token}-UNDERSCORE` }))).toEqual([
        products.underscore.name,
      ]);
    });

    it('matches % and _ in the search text literally', async () => {
      expect(names(await list({ search: `${token} Yoghurt 100% nat` }))).toEqual([
        products.yoghurt.name,
      ]);
      expect(names(await list({ search: `${token} Bread_w` }))).toEqual([products.underscore.name]);
    });

    it('filters by exact barcode and by active', async () => {
      expect(await list({ barcode: `${token}-milk` })).toMatchObject({
        data: [products.milk],
        total: 1,
      });
      expect((await list({ barcode: `${token}-mil` })).total).toBe(0);
      expect(names(await list({ category: bakery, active: 'false' }))).toEqual([
        products.lookalike.name,
      ]);
      expect(names(await list({ category: bakery, active: 'true' }))).toEqual([
        products.underscore.name,
        products.percent.name,
      ]);
    });
  });

  describe('CSV export', () => {
    it('streams every matching product as an RFC 4180 attachment, defusing formulas', async () => {
      const category = unique('csv-');
      const formula = await createProduct({ name: '=HYPERLINK("x")', category });
      const quoted = await createProduct({ name: 'Milk, "fresh"', category, costPrice: 90 });
      const response = await call('cashier', 'GET', `/products?format=csv&category=${category}`);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toBe('attachment; filename="products.csv"');
      expect(response.body.split('\r\n')).toEqual([
        'id,sku,barcode,name,category,unitPrice,costPrice,taxClass,reorderLevel,active',
        `${formula.id},${formula.sku},,"'=HYPERLINK(""x"")",${category},6500,0,standard,0,true`,
        `${quoted.id},${quoted.sku},,"Milk, ""fresh""",${category},6500,90,standard,0,true`,
        '',
      ]);
    });
  });
});
