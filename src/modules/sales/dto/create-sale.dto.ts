import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsId, IsTimestamp } from '../../../common/validators/fields';
import { IsKenyanPhone } from '../../../common/validators/kenyan-phone';
import { PAYMENT_METHODS, PaymentMethod } from '../sale-payment.entity';

const MAX_AMOUNT = 1_000_000_000_000;
/** Hard ceiling for validation; the configurable SALE_MAX_LINES is checked by the service. */
export const ABSOLUTE_MAX_LINES = 1000;

export class SaleItemDto {
  @ApiProperty({ format: 'uuid' })
  @IsId()
  productId: string;

  @ApiProperty({ type: 'integer', example: 2, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(100_000)
  quantity: number;

  @ApiPropertyOptional({
    type: 'integer',
    example: 500,
    description: 'Minor units off the line; at most the line amount',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT)
  discount?: number;
}

export class PaymentDto {
  @ApiProperty({ enum: PAYMENT_METHODS })
  @IsIn(PAYMENT_METHODS)
  method: PaymentMethod;

  @ApiProperty({ type: 'integer', example: 23200, description: 'Minor units' })
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT)
  amount: number;

  @ApiPropertyOptional({
    example: 'QKT4XYZ12A',
    description: 'M-Pesa code (10 upper-case letters/digits) or card reference',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9-]{1,64}$/, { message: 'reference must be 1-64 letters, digits or dashes' })
  reference?: string;

  @ApiPropertyOptional({
    example: '0712345678',
    description: 'Kenyan phone (M-Pesa); stored as E.164',
  })
  @IsOptional()
  @IsKenyanPhone()
  phone?: string;
}

export class CreateSaleDto {
  @ApiProperty({ format: 'uuid' })
  @IsId()
  storeId: string;

  @ApiProperty({ type: [SaleItemDto], description: 'Each product at most once (use quantity)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ABSOLUTE_MAX_LINES)
  @ValidateNested({ each: true })
  @Type(() => SaleItemDto)
  items: SaleItemDto[];

  @ApiProperty({
    type: [PaymentDto],
    description: 'Empty only when the total is 0 (items discounted in full or free)',
  })
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => PaymentDto)
  payments: PaymentDto[];

  @ApiPropertyOptional({ example: '0712345678' })
  @IsOptional()
  @IsKenyanPhone()
  customerPhone?: string;

  @ApiPropertyOptional({
    example: '2026-11-25T09:30:00Z',
    description: 'When an offline till made the sale',
  })
  @IsOptional()
  @IsTimestamp()
  occurredAt?: string;
}
