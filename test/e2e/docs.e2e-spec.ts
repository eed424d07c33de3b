import SwaggerParser from '@apidevtools/swagger-parser';
import { startTestApp, TestApp } from '../support/app';

describe('API documentation', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(() => api.close());

  it('serves a valid OpenAPI 3 document at /docs-json with bearer auth', async () => {
    const response = await api.request({ method: 'GET', url: '/docs-json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toMatch(/^3\./);
    expect(document.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health', '/ready']));
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeDefined();
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await api.request({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toMatch(/swagger-ui/i);
  });
});
