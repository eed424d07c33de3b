import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';

/**
 * Documents a list endpoint's page envelope `{ data, page, pageSize, total }` of `model`, and,
 * for an endpoint that exports, the CSV attachment `?format=csv` streams instead.
 */
export function ApiPageResponse(model: Type<unknown>, csvFile?: string) {
  const page = {
    type: 'object',
    required: ['data', 'page', 'pageSize', 'total'],
    properties: {
      data: { type: 'array', items: { $ref: getSchemaPath(model) } },
      page: { type: 'integer', example: 1 },
      pageSize: { type: 'integer', example: 50 },
      total: { type: 'integer', example: 1234 },
    },
  };
  return applyDecorators(
    ApiExtraModels(model),
    ApiOkResponse({
      description: csvFile
        ? `A page, or with \`format=csv\` every match as a CSV attachment (${csvFile})`
        : 'A page',
      content: {
        'application/json': { schema: page },
        ...(csvFile ? { 'text/csv': { schema: { type: 'string' } } } : {}),
      },
    }),
  );
}
