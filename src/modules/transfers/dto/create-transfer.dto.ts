import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsId, MaxChars } from '../../../common/validators/fields';

export const MAX_TRANSFER_ITEMS = 200;

export class TransferItemDto {
  @ApiProperty({ format: 'uuid' })
  @IsId()
  productId: string;

  @ApiProperty({ type: 'integer', example: 12, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quantity: number;
}

export class CreateTransferDto {
  @ApiProperty({ format: 'uuid', description: 'The store the stock leaves' })
  @IsId()
  fromStoreId: string;

  @ApiProperty({
    format: 'uuid',
    description: "The store the stock goes to: the requester's store",
  })
  @IsId()
  toStoreId: string;

  @ApiProperty({
    type: [TransferItemDto],
    description: `1–${MAX_TRANSFER_ITEMS} items, each product at most once`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_TRANSFER_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => TransferItemDto)
  items: TransferItemDto[];

  @ApiPropertyOptional({ example: 'Running low before the weekend', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxChars(500)
  note?: string;
}

export class RejectTransferDto {
  @ApiProperty({ example: 'We need this stock ourselves', minLength: 1, maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxChars(500)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason: string;
}
