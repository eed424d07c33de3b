import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsId, Chars } from '../../../common/validators/fields';
import { PAYMENT_METHODS, PaymentMethod } from '../sale-payment.entity';
import { ABSOLUTE_MAX_LINES } from './create-sale.dto';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class ReturnItemDto {
  @ApiProperty({ format: 'uuid', description: 'Id of a line of this sale (lines[].id)' })
  @IsId()
  lineId: string;

  @ApiProperty({
    type: 'integer',
    example: 1,
    minimum: 1,
    description: 'Units to return; at most the line quantity minus what was already returned',
  })
  @IsInt()
  @Min(1)
  @Max(100_000)
  quantity: number;
}

export class CreateReturnDto {
  @ApiProperty({ type: [ReturnItemDto], description: 'Each line at most once' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ABSOLUTE_MAX_LINES)
  @ValidateNested({ each: true })
  @Type(() => ReturnItemDto)
  items: ReturnItemDto[];

  @ApiProperty({ example: 'Damaged packaging', minLength: 1, maxLength: 200 })
  @Transform(trim)
  @IsString()
  @Chars(1, 200)
  reason: string;

  @ApiProperty({ example: true, description: 'Put the returned units back into the store stock' })
  @IsBoolean()
  restock: boolean;

  @ApiProperty({
    enum: PAYMENT_METHODS,
    example: 'cash',
    description: 'How the refund is paid out',
  })
  @IsIn(PAYMENT_METHODS)
  refundMethod: PaymentMethod;
}
