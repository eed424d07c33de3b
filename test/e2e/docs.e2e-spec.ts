import SwaggerParser from '@apidevtools/swagger-parser';
import { startTestApp, TestApp } from '../support/app';

interface OpenApiSchema {
  properties?: Record<string, { type?: string }>;
}
interface OpenApiParameter {
  name: string;
  schema?: { type?: string };
}

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

  it('documents money, quantities and counts as integers; only rates and % changes are fractional', async () => {
    const document = (await api.request({ method: 'GET', url: '/docs-json' })).json();
    const fractional = [
      'SaleLineResponse.vatRate',
      'VatBreakdownResponse.vatRate',
      'UserResponse.commissionRate',
      'CreateUserDto.commissionRate',
      'UpdateUserDto.commissionRate',
      ...['salesCount', 'grossSales', 'netSales', 'averageSale'].map(
        (field) => `SummaryChangeResponse.${field}`,
      ),
    ];
    const numbers: string[] = [];
    for (const [name, schema] of Object.entries<OpenApiSchema>(document.components.schemas))
      for (const [field, property] of Object.entries(schema.properties ?? {}))
        if (property.type === 'number') numbers.push(`${name}.${field}`);
    expect(numbers.sort()).toEqual(fractional.sort());

    const queryNumbers = Object.entries<Record<string, { parameters?: OpenApiParameter[] }>>(
      document.paths,
    ).flatMap(([path, operations]) =>
      Object.values(operations).flatMap((operation) =>
        (operation.parameters ?? [])
          .filter((parameter) => parameter.schema?.type === 'number')
          .map((parameter) => `${path} ${parameter.name}`),
      ),
    );
    expect(queryNumbers).toEqual([]);
  });

  it('documents the success response of every operation, with a schema where it answers JSON', async () => {
    const document = (await api.request({ method: 'GET', url: '/docs-json' })).json();
    const undocumented: string[] = [];
    for (const [path, operations] of Object.entries<
      Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>
    >(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const success = Object.entries(operation.responses ?? {}).filter(([status]) =>
          /^2\d\d$/.test(status),
        );
        const schemaless = success.some(
          ([status, response]) => status !== '204' && !response.content,
        );
        if (success.length === 0 || schemaless)
          undocumented.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(undocumented).toEqual([]);
    // A create answers 201, and says so.
    expect(Object.keys(document.paths['/api/v1/stores'].post.responses)).toContain('201');
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await api.request({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toMatch(/swagger-ui/i);
  });
});
