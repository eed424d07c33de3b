import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  getMetadataStorage,
  IsInt,
  IsString,
  Max,
  registerDecorator,
  validate,
  ValidateNested,
  ValidationError,
} from 'class-validator';
import { rememberValidationMetadata } from '../../src/common/validators/remembered-metadata';

const failed = (errors: ValidationError[]): Record<string, string[]> =>
  Object.fromEntries(
    errors.map((error) => [
      error.property,
      [
        ...Object.keys(error.constraints ?? {}),
        ...(error.children ?? []).flatMap((child) =>
          Object.keys(child.constraints ?? {}).map((rule) => `${child.property}.${rule}`),
        ),
      ].sort(),
    ]),
  );

class Line {
  @IsInt()
  quantity: unknown;
}

class Basket {
  @IsString()
  name: unknown;

  @ValidateNested({ each: true })
  @Type(() => Line)
  lines: Line[];
}

function basket(name: unknown, quantities: unknown[]): Basket {
  return Object.assign(new Basket(), {
    name,
    lines: quantities.map((quantity) => Object.assign(new Line(), { quantity })),
  });
}

describe('rememberValidationMetadata', () => {
  beforeAll(() => rememberValidationMetadata());

  it('validates as class-validator does, nested objects included', async () => {
    expect(failed(await validate(basket('ok', [1, 2])))).toEqual({});
    expect(failed(await validate(basket(7, [1, 'x'])))).toEqual({
      name: ['isString'],
      lines: [],
    });
    const [lines] = (await validate(basket('ok', ['x']))).filter((e) => e.property === 'lines');
    expect(lines.children?.[0].children?.[0].constraints).toHaveProperty('isInt');
  });

  it('applies a rule added to a class after the class was validated', async () => {
    class Counted {
      @IsInt()
      count: unknown;
    }
    const tooMany = Object.assign(new Counted(), { count: 50 });
    expect(failed(await validate(tooMany))).toEqual({});

    registerDecorator({
      target: Counted,
      propertyName: 'count',
      validator: { validate: (value: unknown) => typeof value === 'number' && value < 10 },
      name: 'fewerThanTen',
    });
    expect(failed(await validate(tooMany))).toEqual({ count: ['fewerThanTen'] });
  });

  it('gives a subclass declared later its own and its parent’s rules', async () => {
    class Parent {
      @IsInt()
      a: unknown;
    }
    expect(failed(await validate(Object.assign(new Parent(), { a: 'x' })))).toEqual({
      a: ['isInt'],
    });
    class Child extends Parent {
      @Max(3)
      b: unknown;
    }
    expect(failed(await validate(Object.assign(new Child(), { a: 'x', b: 4 })))).toEqual({
      a: ['isInt'],
      b: ['max'],
    });
  });

  it('keeps validation groups apart', async () => {
    class Grouped {
      @IsInt({ groups: ['strict'] })
      value: unknown;

      @IsString()
      label: unknown;
    }
    const item = Object.assign(new Grouped(), { value: 'x', label: 1 });
    const everyRule = { label: ['isString'], value: ['isInt'] };
    expect(failed(await validate(item))).toEqual(everyRule);
    expect(failed(await validate(item, { groups: ['strict'] }))).toEqual({ value: ['isInt'] });
    expect(failed(await validate(item, { strictGroups: true }))).toEqual({ label: ['isString'] });
    expect(failed(await validate(item))).toEqual(everyRule);
  });

  it('answers the same lookup from memory, and only installs once', () => {
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Basket, '', false, false);
    rememberValidationMetadata();
    expect(storage.getTargetValidationMetadatas(Basket, '', false, false)).toBe(first);
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
  });
});
