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

/** Fields (`items.0.note`) holding a string with U+0000, which PostgreSQL text cannot store. */
function fieldsWithNul(value: unknown, field: string): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [field] : [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    fieldsWithNul(item, field ? `${field}.${key}` : key),
  );
}

/**
 * The global pipe: class-validator DTOs (unknown fields rejected), plus two checks it lacks:
 * a JSON `null` body is not an object, and no string anywhere in the body, query or path
 * may contain a NUL character (it would reach PostgreSQL and fail there as a 500).
 */
class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const withNul = fieldsWithNul(value, metadata.data ?? '').map(
        (field) => field || metadata.type,
      );
      if (withNul.length > 0)
        throw new ValidationFailedError(
          withNul.map((field) => ({
            field,
            problems: [`${field} must not contain NUL characters`],
          })),
        );
    }
    if (metadata.type === 'body' && value === null && this.toValidate(metadata))
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
