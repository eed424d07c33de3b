import { ApiProperty } from '@nestjs/swagger';
import { TRANSFER_STATUSES } from '../transfer.entity';
import type { Transfer, TransferStatus } from '../transfer.entity';
import type { TransferItem } from '../transfer-item.entity';

export class TransferItemResponse {
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty({ type: 'integer', example: 12 }) quantity: number;
}

export class TransferResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) fromStoreId: string;
  @ApiProperty({ format: 'uuid' }) toStoreId: string;
  @ApiProperty({ enum: TRANSFER_STATUSES, example: 'pending' }) status: TransferStatus;
  @ApiProperty({ type: [TransferItemResponse] }) items: TransferItemResponse[];
  @ApiProperty({ nullable: true, type: String, example: 'Running low before the weekend' })
  note: string | null;
  @ApiProperty({ format: 'uuid' }) requestedBy: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) decidedBy: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why it was rejected' })
  reason: string | null;
  @ApiProperty({ example: '2026-11-25T09:30:00.000Z' }) createdAt: string;
  @ApiProperty({ nullable: true, type: String, example: '2026-11-25T10:02:00.000Z' })
  decidedAt: string | null;
}

export class TransferPageResponse {
  @ApiProperty({ type: [TransferResponse] }) data: TransferResponse[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}

/** Items are expected in request order (`lineNo`). */
export function toTransferResponse(transfer: Transfer, items: TransferItem[]): TransferResponse {
  return {
    id: transfer.id,
    fromStoreId: transfer.fromStoreId,
    toStoreId: transfer.toStoreId,
    status: transfer.status,
    items: items.map((item) => ({ productId: item.productId, quantity: item.quantity })),
    note: transfer.note,
    requestedBy: transfer.requestedBy,
    decidedBy: transfer.decidedBy,
    reason: transfer.reason,
    createdAt: transfer.createdAt.toISOString(),
    decidedAt: transfer.decidedAt ? transfer.decidedAt.toISOString() : null,
  };
}
