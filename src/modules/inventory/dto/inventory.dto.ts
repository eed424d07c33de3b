import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  NotEquals,
  ValidateIf,
} from 'class-validator';
import { IsId, IsTimestamp, MaxChars, OffsetPlusRestored } from '../../../common/validators/fields';
import { ExportableQueryDto } from '../../../common/pagination/pagination';
import { ADJUSTMENT_REASONS, AdjustmentReason, MOVEMENT_REASONS } from '../stock-movement.entity';

const MAX_QUANTITY = 1_000_000_000;
const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

export class AdjustStockDto {
  @ApiProperty({ format: 'uuid' })
  @IsId()
  productId: string;

  @ApiPropertyOptional({
    type: 'integer',
    example: 24,
    description: 'Non-zero change; exactly one of delta or countedQuantity',
  })
  @IsOptional()
  @IsInt()
  @NotEquals(0)
  @Min(-MAX_QUANTITY)
  @Max(MAX_QUANTITY)
  delta?: number;

  @ApiPropertyOptional({
    type: 'integer',
    example: 17,
    description: 'Quantity counted on the shelf (>= 0)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_QUANTITY)
  countedQuantity?: number;

  @ApiProperty({ enum: ADJUSTMENT_REASONS })
  @IsIn(ADJUSTMENT_REASONS)
  reason: AdjustmentReason;

  @ApiPropertyOptional({ example: 'Delivery note 4411' })
  @IsOptional()
  @IsString()
  @MaxChars(500)
  note?: string;
}

export class AdjustmentResponse {
  @ApiProperty({ format: 'uuid' }) movementId: string;
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty({ type: 'integer' }) previousQuantity: number;
  @ApiProperty({ type: 'integer' }) quantity: number;
}

export class UpdateReorderLevelDto {
  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 10,
    description: "This store's level; null clears it, and the product's default applies again",
  })
  @IsDefined()
  @ValidateIf((_dto, value) => value !== null)
  @IsInt()
  @Min(0)
  @Max(MAX_QUANTITY)
  reorderLevel: number | null;
}

export class InventoryQueryDto extends ExportableQueryDto {
  @ApiPropertyOptional({ description: 'Only products at or below their reorder level' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  lowStock?: boolean;

  @ApiPropertyOptional({ description: 'Part of name, SKU or barcode' })
  @IsOptional()
  @IsString()
  @MaxChars(100)
  search?: string;
}

export class ReorderLevelResponse {
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty({ type: 'integer' }) quantity: number;
  @ApiProperty({ type: 'integer' }) reorderLevel: number;
  @ApiProperty() lowStock: boolean;
}

export class InventoryRowResponse {
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: 'integer' }) quantity: number;
  @ApiProperty({ type: 'integer' }) reorderLevel: number;
  @ApiProperty() lowStock: boolean;
}

export class StockMovementQueryDto extends ExportableQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsId()
  productId?: string;

  @ApiPropertyOptional({ example: '2026-11-01T00:00:00Z', description: 'Inclusive' })
  @IsOptional()
  @OffsetPlusRestored()
  @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z', description: 'Exclusive' })
  @IsOptional()
  @OffsetPlusRestored()
  @IsTimestamp()
  to?: string;
}

export class StockMovementResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty({ type: 'integer' }) delta: number;
  @ApiProperty({ type: 'integer' }) quantityAfter: number;
  @ApiProperty({ enum: MOVEMENT_REASONS }) reason: string;
  @ApiProperty({ nullable: true, type: String }) referenceType: string | null;
  @ApiProperty({ nullable: true, type: String }) referenceId: string | null;
  @ApiProperty({ nullable: true, type: String }) userId: string | null;
  @ApiProperty({ nullable: true, type: String, description: "An adjustment's note" })
  note: string | null;
  @ApiProperty() createdAt: string;
}
