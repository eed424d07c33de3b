import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { rememberValidationMetadata } from '../validators/remembered-metadata';
import { FieldProblem, ValidationFailedError } from './domain-error';

/** Flattens class-validator's tree into `[{ field: 'items.0.quantity', problems: [...] }]`. */
export function toFieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own: FieldProblem[] = error.constraints
      ? [{ field, problems: Object.values(error.constraints) }]
      : [];
    return own.concat(toFieldProblems(error.children ?? [], field));
  });
}

/** Deeper than any request of the API; the walks below (ours and Nest's) recurse per level. */
const MAX_DEPTH = 32;

/**
 * Fields (`items.0.note`) holding a string with U+0000, which PostgreSQL text cannot store, or
 * `tooDeep` when objects nest beyond MAX_DEPTH (a few KB of `[[[…]]]` would otherwise overflow
 * the stack of every recursive walk, ours and the validation library's: a 500).
 */
function fieldsWithNul(root: unknown, rootField: string): string[] | 'tooDeep' {
  const found: string[] = [];
  const pending: { value: unknown; field: string; depth: number }[] = [
    { value: root, field: rootField, depth: 0 },
  ];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, field, depth } = next;
    if (typeof value === 'string' && value.includes('\u0000')) found.push(field);
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) return 'tooDeep';
    for (const [key, item] of Object.entries(value))
      pending.push({ value: item, field: field ? `${field}.${key}` : key, depth: depth + 1 });
  }
  return found.sort();
}

/**
 * The global pipe: class-validator DTOs (unknown fields rejected), plus checks it lacks: a
 * body must be a JSON object (not `null`, a string or an array), no string anywhere in the
 * body, query or path may contain a NUL character (it would reach PostgreSQL and fail there as
 * a 500), and nothing may nest deeper than MAX_DEPTH.
 */
class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const found = fieldsWithNul(value, metadata.data ?? '');
      if (found === 'tooDeep')
        throw new ValidationFailedError([
          {
            field: metadata.data ?? metadata.type,
            problems: [`${metadata.type} nests deeper than ${MAX_DEPTH} levels`],
          },
        ]);
      const withNul = found.map((field) => field || metadata.type);
      if (withNul.length > 0)
        throw new ValidationFailedError(
          withNul.map((field) => ({
            field,
            problems: [`${field} must not contain NUL characters`],
          })),
        );
    }
    const notAnObject =
      value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value));
    if (metadata.type === 'body' && notAnObject && this.toValidate(metadata))
      throw new ValidationFailedError([
        { field: 'body', problems: ['body must be a JSON object'] },
      ]);
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  rememberValidationMetadata();
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new ValidationFailedError(toFieldProblems(errors)),
  });
}
