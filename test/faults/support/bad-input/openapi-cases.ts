import * as fc from 'fast-check';
import type { Caller, ValidRequest } from './valid-requests';
import {
  FRACTIONS,
  HOSTILE_STRINGS,
  HUGE_NUMBERS,
  INVALID_UUIDS,
  NUMBER_LIKE_STRINGS,
} from './hostile-values';

/** The parts of an OpenAPI 3 document the generators read. */
export interface Schema {
  $ref?: string;
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  format?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  nullable?: boolean;
  items?: Schema;
  required?: string[];
  properties?: Record<string, Schema>;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** One request that must be rejected, and the field its error details must name (if any). */
export interface BadRequest {
  operation: string;
  what: string;
  caller: Caller;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  field?: string;
}

interface NumberRule {
  integer?: boolean;
  minimum?: number;
  maximum?: number;
  invalid?: number[];
}

/**
 * What API.md fixes about number fields the OpenAPI document types only as `number`: money is
 * an integer number of minor units, quantities and stock levels are integers, `delta` is
 * non-zero, a commission rate is a percentage, pages are counted in whole numbers.
 */
const CONTRACT_NUMBERS: Record<string, NumberRule> = {
  quantity: { integer: true, minimum: 1 },
  countedQuantity: { integer: true, minimum: 0 },
  delta: { integer: true, invalid: [0] },
  reorderLevel: { integer: true, minimum: 0 },
  amount: { integer: true, minimum: 0 },
  discount: { integer: true, minimum: 0 },
  unitPrice: { integer: true },
  costPrice: { integer: true },
  commissionRate: { minimum: 0, maximum: 100 },
  page: { integer: true },
  pageSize: { integer: true },
  limit: { integer: true },
};

/** API.md: `Idempotency-Key` is 1–255 characters. */
const INVALID_IDEMPOTENCY_KEYS: (string | undefined)[] = [undefined, '', 'k'.repeat(256)];

const WRONG_TYPES: Record<string, unknown[]> = {
  string: [42, true, {}, []],
  number: [true, {}, [], ...NUMBER_LIKE_STRINGS],
  integer: [true, {}, [], ...NUMBER_LIKE_STRINGS],
  boolean: ['true', 'false', 1, 0, {}, []],
  array: ['text', 42, true, {}],
  object: ['text', 42, true, []],
};

/** PostgreSQL text cannot hold U+0000: the API refuses it in every string. */
const STRING_WITH_NUL = 'Kisumu\u0000Central';

const INVALID_DATE_TIMES = ['yesterday', '2025-13-45T25:61:00Z', '2025-11-01 noon', '1e308'];

export class OpenApiBadRequests {
  constructor(private readonly document: OpenApiDocument) {}

  /** Every operation of the document as `METHOD path`. */
  operations(): string[] {
    return Object.entries(this.document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
  }

  /** Bad requests for one operation: each one breaks one part of `valid` and nothing else. */
  forOperation(operationKey: string, valid: ValidRequest, randomBodies: number): BadRequest[] {
    const [method, path] = operationKey.split(' ');
    const operation = this.document.paths[path][method.toLowerCase()];
    const parameters = operation.parameters ?? [];
    const bodySchema = operation.requestBody?.content['application/json']?.schema;
    const body = bodySchema ? this.resolve(bodySchema) : undefined;

    const base = baseParts(valid);
    const variants: Omit<BadRequest, 'operation' | 'caller' | 'method'>[] = [];
    const request = (changes: Partial<RequestParts> & { what: string; field?: string }) => {
      const parts = { ...base, ...changes };
      variants.push({
        what: changes.what,
        field: changes.field,
        url: urlOf(path, parts.pathParams, parts.query),
        headers: parts.headers,
        payload: parts.payload,
      });
    };

    for (const parameter of parameters) {
      if (parameter.in === 'path') {
        const encoded = this.invalidPathValues(parameter).map(encodeURIComponent);
        for (const value of [...encoded, BROKEN_PERCENT_ENCODING])
          request({
            what: `path ${parameter.name}=${preview(value)}`,
            pathParams: { ...base.pathParams, [parameter.name]: value },
          });
      }
      if (parameter.in === 'query') {
        for (const value of this.invalidQueryValues(parameter))
          request({
            what: `query ${parameter.name}=${preview(value)}`,
            query: [[parameter.name, value]],
            field: parameter.name,
          });
        request({
          what: `query ${parameter.name} given twice`,
          query: this.validQueryValue(parameter).map((value) => [parameter.name, value]),
          field: parameter.name,
        });
      }
      if (parameter.in === 'header' && parameter.name === 'Idempotency-Key') {
        // Left out is fine where the key is optional (returns); empty or too long never is.
        const invalid = INVALID_IDEMPOTENCY_KEYS.filter(
          (key) => key !== undefined || parameter.required,
        );
        for (const key of invalid)
          request({
            what: `header ${parameter.name}=${preview(key)}`,
            headers: withHeader(base.headers, 'idempotency-key', key),
            field: parameter.name,
          });
      }
    }
    if (parameters.some((parameter) => parameter.in === 'query'))
      request({
        what: 'unknown query parameter',
        query: [['unexpected', '1']],
        field: 'unexpected',
      });

    if (body && valid.body) {
      for (const mutation of this.bodyMutations(body, valid.body, ''))
        request({ ...mutation, payload: JSON.stringify(mutation.body) });
      for (const raw of rawBodies(valid.body, body))
        request({
          what: raw.what,
          payload: raw.payload,
          headers: { ...base.headers, ...raw.headers },
        });
      for (const value of randomJsonBodies(body, randomBodies))
        request({ what: `random JSON ${preview(value)}`, payload: JSON.stringify(value) });
    }

    return variants.flatMap((variant) =>
      valid.callers.map((caller) => ({ ...variant, operation: operationKey, caller, method })),
    );
  }

  /** Whether the operation takes a request body. */
  takesBody(operationKey: string): boolean {
    const [method, path] = operationKey.split(' ');
    return this.document.paths[path][method.toLowerCase()].requestBody !== undefined;
  }

  private resolve(schema: Schema): Schema {
    if (!schema.$ref) return schema;
    const name = schema.$ref.replace('#/components/schemas/', '');
    return this.resolve(this.document.components.schemas[name]);
  }

  /** Path ids are UUIDs; any other path parameter is a lookup key no row has. */
  private invalidPathValues(parameter: Parameter): string[] {
    const isId = parameter.name === 'id' || parameter.name.endsWith('Id');
    return urlSafe(isId ? INVALID_UUIDS : [...HOSTILE_STRINGS, 'x'.repeat(5000)]);
  }

  private invalidQueryValues(parameter: Parameter): string[] {
    const schema = parameter.schema;
    const rule = CONTRACT_NUMBERS[parameter.name] ?? {};
    const values: string[] = [];
    if (schema.type === 'number' || schema.type === 'integer') {
      values.push('abc', 'NaN', 'Infinity', '', '1,5');
      if (schema.type === 'integer' || rule.integer)
        values.push('1.5', '-0.5', '9007199254740993', '99999999999999999999', '1e308');
      if (schema.minimum !== undefined) values.push(String(schema.minimum - 1), '-1e308');
      if (schema.maximum !== undefined) values.push(String(schema.maximum + 1), '1e308');
    }
    if (schema.type === 'boolean') values.push('yes', '1', 'TRUE', '');
    if (schema.type === 'string') values.push(...this.invalidStrings(schema));
    return urlSafe(values);
  }

  /** Two valid values: the parameter given twice arrives as an array. */
  private validQueryValue(parameter: Parameter): [string, string] {
    const schema = parameter.schema;
    if (schema.enum) return [String(schema.enum[0]), String(schema.enum[0])];
    if (schema.format === 'uuid') return [UNKNOWN_UUID, UNKNOWN_UUID];
    if (schema.type === 'boolean') return ['true', 'true'];
    if (schema.type === 'number' || schema.type === 'integer') return ['1', '2'];
    if (schema.format === 'date-time') return ['2025-11-01T00:00:00Z', '2025-11-02T00:00:00Z'];
    return ['a', 'b'];
  }

  /** Strings a string schema refuses: any with NUL, and those its enum, format or bounds rule out. */
  private invalidStrings(schema: Schema): string[] {
    const values: string[] = [STRING_WITH_NUL];
    if (schema.enum) {
      const first = String(schema.enum[0]);
      values.push('INVALID', ` ${first}`, ...HOSTILE_STRINGS);
      if (first.toUpperCase() !== first) values.push(first.toUpperCase());
    }
    if (schema.format === 'uuid') values.push(...INVALID_UUIDS);
    if (schema.format === 'date-time') values.push(...INVALID_DATE_TIMES);
    if (schema.maxLength !== undefined)
      values.push('x'.repeat(schema.maxLength + 1), '🧾'.repeat(schema.maxLength + 1));
    if (schema.minLength) values.push('x'.repeat(schema.minLength - 1));
    return [...new Set(values)].filter((value) => !schema.enum?.includes(value));
  }

  private invalidNumbers(schema: Schema, name: string): unknown[] {
    const rule = CONTRACT_NUMBERS[name] ?? {};
    const integer = schema.type === 'integer' || rule.integer === true;
    const minimum = schema.minimum ?? rule.minimum;
    const maximum = schema.maximum ?? rule.maximum;
    const values: unknown[] = [...(rule.invalid ?? [])];
    // JSON integers beyond 2^53 are not exact: no integer of API.md (money, quantities) takes one.
    if (integer) values.push(...FRACTIONS, ...HUGE_NUMBERS, -(2 ** 53));
    if (minimum !== undefined) values.push(minimum - 1, minimum - 0.5, -1e308);
    if (maximum !== undefined) values.push(maximum + 1, maximum + 0.5, 1e308);
    return values;
  }

  /** Values the property's schema refuses, whatever the rest of the body is. */
  private invalidValues(schema: Schema, name: string, required: boolean): unknown[] {
    const type = schema.type ?? (schema.$ref ? 'object' : 'string');
    const values: unknown[] = [...WRONG_TYPES[type]];
    if (required && !schema.nullable) values.push(null);
    if (type === 'string') values.push(...this.invalidStrings(schema));
    if (type === 'number' || type === 'integer') values.push(...this.invalidNumbers(schema, name));
    if (type === 'array' && schema.items) {
      const items = this.resolve(schema.items);
      if (items.type !== 'object' && !schema.items.$ref)
        values.push(...this.invalidValues(items, name, true).map((item) => [item]));
      if (items.format === 'uuid') values.push(UNKNOWN_UUID); // one id, not in an array
    }
    return values;
  }

  /** Each property set to each value it refuses, each required property left out. */
  private *bodyMutations(
    schema: Schema,
    valid: Record<string, unknown>,
    prefix: string,
  ): Generator<{ what: string; field: string; body: unknown }> {
    const required = new Set(schema.required ?? []);
    for (const [name, propertySchema] of Object.entries(schema.properties ?? {})) {
      const field = `${prefix}${name}`;
      const set = (value: unknown) => ({ ...valid, [name]: value });
      for (const value of this.invalidValues(propertySchema, name, required.has(name)))
        yield { what: `body ${field}=${preview(value)}`, field, body: set(value) };
      if (required.has(name)) {
        const { [name]: _left, ...rest } = valid;
        yield { what: `body without ${field}`, field, body: rest };
      }
      const items = propertySchema.items;
      const first = Array.isArray(valid[name]) ? (valid[name] as unknown[])[0] : undefined;
      if (items?.$ref && isPlainObject(first)) {
        for (const nested of this.bodyMutations(this.resolve(items), first, `${field}.0.`))
          yield { ...nested, body: set([nested.body, ...(valid[name] as unknown[]).slice(1)]) };
      }
    }
    yield {
      what: 'body with an unknown field',
      field: `${prefix}unexpectedField`,
      body: { ...valid, unexpectedField: 1 },
    };
  }
}

/** The valid request itself, ready to send. */
export function validRequestToSend(operationKey: string, valid: ValidRequest) {
  const [method, path] = operationKey.split(' ');
  const parts = baseParts(valid);
  return {
    method,
    url: urlOf(path, parts.pathParams, []),
    headers: parts.headers,
    payload: parts.payload,
  };
}

function baseParts(valid: ValidRequest): RequestParts {
  const headers: Record<string, string> = { ...valid.headers };
  if (valid.body) headers['content-type'] = 'application/json';
  const pathParams = Object.entries(valid.pathParams ?? {}).map(
    ([name, value]) => [name, encodeURIComponent(value)] as const,
  );
  return {
    pathParams: Object.fromEntries(pathParams),
    query: [],
    headers,
    payload: valid.body ? JSON.stringify(valid.body) : undefined,
  };
}

interface RequestParts {
  /** Percent-encoded already. */
  pathParams: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  payload?: string;
}

/** A percent sign not followed by two hex digits of a UTF-8 sequence. */
const BROKEN_PERCENT_ENCODING = '%E0%A4%A';

/** A well-formed UUID no row has: only its position in the request is wrong. */
const UNKNOWN_UUID = '5d1e7a0c-2b4f-4e8e-8f3a-1c9b6d2e4f70';

function rawBodies(valid: Record<string, unknown>, schema: Schema) {
  const json = { 'content-type': 'application/json' };
  const text = JSON.stringify(valid);
  const firstProperty = Object.keys(schema.properties ?? {})[0];
  return [
    ...['[]', '"text"', '42', 'null', 'true', JSON.stringify([valid])].map((payload) => ({
      what: `body ${payload.slice(0, 40)}`,
      payload,
      headers: json,
    })),
    // Not '': an empty body is no body, whatever its Content-Type (errors.e2e-spec.ts).
    ...['{', '{"a":1,}', "{'a':1}", '{"a":NaN}', text.slice(0, -1), `${text}}`].map((payload) => ({
      what: `malformed JSON ${preview(payload)}`,
      payload,
      headers: json,
    })),
    {
      what: 'prototype pollution __proto__',
      payload: `{"__proto__":{"isAdmin":true},${text.slice(1)}`,
      headers: json,
    },
    {
      what: 'prototype pollution constructor.prototype',
      payload: `{"constructor":{"prototype":{"isAdmin":true}},${text.slice(1)}`,
      headers: json,
    },
    { what: 'JSON sent as text/plain', payload: text, headers: { 'content-type': 'text/plain' } },
    {
      what: 'form-encoded body',
      payload: `${firstProperty}=x`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
  ];
}

/** Random JSON that is no valid body: not an object, or an object with a field nobody declared. */
function randomJsonBodies(schema: Schema, count: number): unknown[] {
  const declared = new Set(Object.keys(schema.properties ?? {}));
  const undeclared = (value: unknown) =>
    !isPlainObject(value) || Object.keys(value).some((key) => !declared.has(key));
  return fc.sample(fc.jsonValue().filter(undeclared), { numRuns: count, seed: 20251110 });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withHeader(headers: Record<string, string>, name: string, value: string | undefined) {
  const { [name]: _dropped, ...rest } = headers;
  return value === undefined ? rest : { ...rest, [name]: value };
}

/** Values that can be percent-encoded (a lone surrogate cannot). */
function urlSafe(values: string[]): string[] {
  return values.filter((value) => {
    try {
      encodeURIComponent(value);
      return true;
    } catch {
      return false;
    }
  });
}

function urlOf(path: string, pathParams: Record<string, string>, query: [string, string][]) {
  const filled = path.replace(/\{(\w+)\}/g, (_match, name: string) => pathParams[name]);
  const search = query.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  return search ? `${filled}?${search}` : filled;
}

function preview(value: unknown): string {
  const text = value === undefined ? '(absent)' : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}…(${text.length})` : text;
}
