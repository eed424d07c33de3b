import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsId } from '../../../common/validators/fields';
import { PageQueryDto } from '../../../common/pagination/pagination';
import { TRANSFER_STATUSES, TransferStatus } from '../transfer.entity';

export class ListTransfersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Transfers from or to this store (it must be one the caller may see)',
  })
  @IsOptional()
  @IsId()
  storeId?: string;

  @ApiPropertyOptional({ enum: TRANSFER_STATUSES })
  @IsOptional()
  @IsIn(TRANSFER_STATUSES)
  status?: TransferStatus;
}
