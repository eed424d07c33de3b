import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { InjectDataSource } from '@nestjs/typeorm';
import { connect, type AddressInfo } from 'node:net';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { EmptyBody } from '../../src/common/http/empty-body';
import { Public } from '../../src/common/http/public.decorator';
import { startTestApp, TestApp } from '../support/app';
import { sleep } from '../support/eventually';

class ProbeLineDto {
  @IsInt()
  @Min(1)
  quantity: number;
}

class ProbeDto {
  @IsString()
  name: string;

  @ValidateNested({ each: true })
  @Type(() => ProbeLineDto)
  items: ProbeLineDto[];
}

/** Routes that exist only in this test, to provoke each kind of error through the real pipeline. */
@Public()
@Controller('probe')
class ProbeController {
  @Post()
  echo(@Body() body: ProbeDto) {
    return body;
  }

  @Post('action')
  act(@Body() _body: EmptyBody) {
    return { done: true };
  }

  @Get('crash')
  crash(): never {
    throw new Error('SELECT secret FROM internals -- must never reach the client');
  }

  @Get('database-down')
  databaseDown(): never {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  }

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A statement that runs past its statement timeout (PostgreSQL cancels it: 57014). */
  @Get('too-slow')
  tooSlow(): Promise<unknown> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL statement_timeout = '50ms'`);
      return manager.query('SELECT pg_sleep(1)');
    });
  }

  /** A lock wait past the lock timeout (55P03): the test holds advisory lock 4242. */
  @Get('locked')
  locked(): Promise<unknown> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL lock_timeout = '50ms'`);
      return manager.query('SELECT pg_advisory_xact_lock(4242)');
    });
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

const json = { 'content-type': 'application/json' };

describe('error bodies', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ imports: [ProbeModule], env: { BODY_LIMIT_BYTES: '16384' } });
  });
  afterAll(() => api.close());

  function expectErrorBody(
    response: Awaited<ReturnType<TestApp['request']>>,
    status: number,
    code: string,
  ) {
    expect(response.statusCode).toBe(status);
    const body = response.json();
    expect(body).toEqual({
      statusCode: status,
      code,
      message: expect.any(String),
      details: expect.any(Array),
      requestId: response.headers['x-request-id'],
    });
    return body;
  }

  it('validation failure → 400 VALIDATION_FAILED listing each field and why', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/api/v1/probe',
      headers: json,
      payload: { name: 42, items: [{ quantity: 0 }, { quantity: 1.5 }] },
    });
    const body = expectErrorBody(response, 400, 'VALIDATION_FAILED');
    const fields = body.details.map((detail: { field: string }) => detail.field);
    expect(fields).toEqual(
      expect.arrayContaining(['name', 'items.0.quantity', 'items.1.quantity']),
    );
  });

  it('unknown fields are rejected with 400', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/api/v1/probe',
      headers: json,
      payload: { name: 'a', items: [], isAdmin: true },
    });
    const body = expectErrorBody(response, 400, 'VALIDATION_FAILED');
    expect(body.details).toEqual([
      { field: 'isAdmin', problems: ['property isAdmin should not exist'] },
    ]);
  });

  it('a valid body passes through', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/api/v1/probe',
      headers: json,
      payload: { name: 'a', items: [{ quantity: 2 }] },
    });
    expect(response.statusCode).toBe(201);
  });

  it('malformed JSON → 400 VALIDATION_FAILED', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/api/v1/probe',
      headers: json,
      payload: '{"name": "a",',
    });
    expectErrorBody(response, 400, 'VALIDATION_FAILED');
  });

  it('an empty body sent as JSON counts as no body (clients set the header on every POST)', async () => {
    const action = await api.request({
      method: 'POST',
      url: '/api/v1/probe/action',
      headers: json,
      payload: '',
    });
    expect(action.statusCode).toBe(201);
    expect(action.json()).toEqual({ done: true });

    const needsBody = await api.request({
      method: 'POST',
      url: '/api/v1/probe',
      headers: json,
      payload: '',
    });
    const body = expectErrorBody(needsBody, 400, 'VALIDATION_FAILED');
    expect(body.details.map((detail: { field: string }) => detail.field)).toContain('name');
  });

  it('a body nested thousands deep (a few KB) → 400 VALIDATION_FAILED, also before sign-in', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    for (const url of ['/api/v1/probe', '/api/v1/auth/login']) {
      const response = await api.request({
        method: 'POST',
        url,
        headers: json,
        payload: `{"name":"a","username":"a","password":${deep}}`,
      });
      expectErrorBody(response, 400, 'VALIDATION_FAILED');
      expect(response.json().details[0].problems).toEqual(['body nests deeper than 32 levels']);
    }
  });

  it('a body over the configured limit → 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/api/v1/probe',
      headers: json,
      payload: JSON.stringify({ name: 'x'.repeat(20000), items: [] }),
    });
    expectErrorBody(response, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('unknown route → 404 NOT_FOUND', async () => {
    expectErrorBody(
      await api.request({ method: 'GET', url: '/api/v1/no-such-thing' }),
      404,
      'NOT_FOUND',
    );
  });

  it('an unexpected error → 500 INTERNAL without stack or SQL', async () => {
    const response = await api.request({ method: 'GET', url: '/api/v1/probe/crash' });
    const body = expectErrorBody(response, 500, 'INTERNAL');
    expect(response.body).not.toMatch(/SELECT|secret|at .*\.ts/);
    expect(body.message).toBe('Internal server error');
  });

  it('an unreachable database → 503 SERVICE_UNAVAILABLE', async () => {
    const response = await api.request({ method: 'GET', url: '/api/v1/probe/database-down' });
    expectErrorBody(response, 503, 'SERVICE_UNAVAILABLE');
    expect(response.json().message).toMatch(/^The database is unavailable; nothing was written/);
    expect(response.body).not.toMatch(/ECONNREFUSED|5432/);
  });

  it('a statement past its timeout → 503 saying it took too long, not that the database is down', async () => {
    const response = await api.request({ method: 'GET', url: '/api/v1/probe/too-slow' });
    expectErrorBody(response, 503, 'SERVICE_UNAVAILABLE');
    expect(response.json().message).toMatch(/took longer than allowed; nothing was written/);
  });

  it('a lock wait past its timeout → 503 saying the data stayed locked', async () => {
    const holder = new Client({ connectionString: api.database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(4242)');
      const response = await api.request({ method: 'GET', url: '/api/v1/probe/locked' });
      expectErrorBody(response, 503, 'SERVICE_UNAVAILABLE');
      expect(response.json().message).toMatch(/stayed locked by other work; nothing was written/);
    } finally {
      await holder.end();
    }
  });

  it('keeps a safe upstream X-Request-Id and replaces an unsafe one', async () => {
    const kept = await api.request({
      method: 'GET',
      url: '/api/v1/nope',
      headers: { 'x-request-id': 'edge-123' },
    });
    expect(kept.json().requestId).toBe('edge-123');
    const replaced = await api.request({
      method: 'GET',
      url: '/api/v1/nope',
      headers: { 'x-request-id': '<script>' },
    });
    expect(replaced.json().requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['a route', '/health', 200],
    ['an error', '/api/v1/nowhere', 404],
    ['a malformed URL, answered by the router itself', '/api/v1/products/barcode/%E0%A4%A', 400],
  ])('sends security headers and no X-Powered-By on %s', async (_what, url, status) => {
    const response = await api.request({ method: 'GET', url });
    expect(response.statusCode).toBe(status);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers['strict-transport-security']).toBeUndefined(); // HSTS only in production
  });
});

describe('a request that reaches a server already closing', () => {
  it('is refused with 503 SERVICE_UNAVAILABLE in the error body of API.md', async () => {
    const api = await startTestApp({ imports: [ProbeModule] });
    await api.app.listen(0, '127.0.0.1');
    const { port } = api.app.getHttpServer().address() as AddressInfo;

    // A request still arriving when the close begins (its headers half sent) keeps its
    // connection open, and reaches the routes once it is complete.
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const ended = new Promise((resolve) => socket.once('close', resolve));
    socket.write('GET /health HTTP/1.1\r\nHost: pos\r\n');
    await sleep(100);
    const closing = api.close();
    await sleep(200);
    socket.write('\r\n');
    await ended;
    await closing;

    expect(received).toMatch(/^HTTP\/1\.1 503 /);
    expect(received).toMatch(/\r\nconnection: close\r\n/i);
    expect(received).toMatch(/\r\nx-content-type-options: nosniff\r\n/i);
    const body = JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4));
    expect(body).toEqual({
      statusCode: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringMatching(/shutting down/),
      details: [],
      requestId: expect.any(String),
    });
  });
});
