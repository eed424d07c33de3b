import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Matches,
} from 'class-validator';
import { IsKenyanPhone } from '../../../common/validators/kenyan-phone';
import { UnlessAbsent, Chars, MaxChars } from '../../../common/validators/fields';
import { IsIanaTimeZone } from '../../../common/validators/time-zone';
import type { Store } from '../store.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateStoreDto {
  @ApiProperty({ example: 'NBO1', description: '2–10 upper-case letters or digits, unique' })
  @Matches(/^[A-Z0-9]{2,10}$/, { message: 'code must be 2-10 upper-case letters or digits' })
  code: string;

  @ApiProperty({ example: 'Nairobi CBD' })
  @Transform(trim)
  @IsString()
  @Chars(1, 120)
  name: string;

  @ApiPropertyOptional({ example: 'Moi Avenue 12, Nairobi' })
  @IsOptional()
  @IsString()
  @MaxChars(255)
  address?: string;

  @ApiPropertyOptional({ example: '0712345678', description: 'Kenyan number; stored as E.164' })
  @IsOptional()
  @IsKenyanPhone()
  phone?: string;

  @ApiPropertyOptional({ example: 'KES', default: 'KES' })
  @UnlessAbsent()
  @IsIn(['KES', 'UGX', 'TZS', 'RWF', 'USD'])
  currency?: string;

  @ApiPropertyOptional({ example: 'Africa/Nairobi', default: 'Africa/Nairobi' })
  @UnlessAbsent()
  @IsIanaTimeZone()
  timeZone?: string;

  @ApiPropertyOptional({
    example: 'P051234567X',
    description: 'KRA PIN: a letter, 9 digits, a letter',
  })
  @IsOptional()
  @Matches(/^[A-Z]\d{9}[A-Z]$/, { message: 'kraPin must be a KRA PIN such as P051234567X' })
  kraPin?: string;

  @ApiPropertyOptional({ example: ['stock@example.co.ke'], type: [String] })
  @UnlessAbsent()
  @ArrayMaxSize(20)
  @IsEmail({}, { each: true })
  lowStockEmails?: string[];
}

/** Every field optional; only address, phone and kraPin may be set to null to clear them. */
export class UpdateStoreDto extends PartialType(CreateStoreDto, { skipNullProperties: false }) {
  @ApiPropertyOptional()
  @UnlessAbsent()
  @IsBoolean()
  active?: boolean;
}

export class StoreResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'NBO1' }) code: string;
  @ApiProperty({ example: 'Nairobi CBD' }) name: string;
  @ApiProperty({ nullable: true, type: String }) address: string | null;
  @ApiProperty({ nullable: true, type: String, example: '+254712345678' }) phone: string | null;
  @ApiProperty({ example: 'KES' }) currency: string;
  @ApiProperty({ example: 'Africa/Nairobi' }) timeZone: string;
  @ApiProperty({ nullable: true, type: String, example: 'P051234567X' }) kraPin: string | null;
  @ApiProperty({ type: [String] }) lowStockEmails: string[];
  @ApiProperty() active: boolean;
  @ApiProperty() createdAt: string;
}

export function toStoreResponse(store: Store): StoreResponse {
  return {
    id: store.id,
    code: store.code,
    name: store.name,
    address: store.address,
    phone: store.phone,
    currency: store.currency,
    timeZone: store.timeZone,
    kraPin: store.kraPin,
    lowStockEmails: store.lowStockEmails,
    active: store.active,
    createdAt: store.createdAt.toISOString(),
  };
}
