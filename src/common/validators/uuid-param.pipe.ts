import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ValidationFailedError } from '../errors/domain-error';

/**
 * A path parameter that must be a UUID (`@Param('id', UuidParam)`): otherwise 400
 * VALIDATION_FAILED naming the parameter, as body fields are named, where Nest's ParseUUIDPipe
 * answers without details. Lower-cased, as ids are compared as strings (see IsId).
 */
@Injectable()
export class UuidParam implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (isUUID(value)) return value.toLowerCase();
    const field = metadata.data ?? metadata.type;
    throw new ValidationFailedError([{ field, problems: [`${field} must be a UUID`] }]);
  }
}
