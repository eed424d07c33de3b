import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import {
  IsId,
  IsPercentage,
  UnlessAbsent,
  Chars,
  MaxChars,
} from '../../../common/validators/fields';
import { Role, ROLES } from '../../../common/auth/auth-user';
import { PageQueryDto } from '../../../common/pagination/pagination';
import { USERNAME_PATTERN, USERNAME_RULE } from '../../../common/validators/username';
import { PASSWORD_MIN_LENGTH } from '../password-hasher';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateUserDto {
  @ApiProperty({ example: 'jwanjiku', description: 'Unique regardless of case' })
  @Matches(USERNAME_PATTERN, { message: `username must be ${USERNAME_RULE}` })
  username: string;

  @ApiProperty({ example: 'correct-horse-battery', minLength: PASSWORD_MIN_LENGTH })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxChars(200)
  password: string;

  @ApiProperty({ example: 'Jane Wanjiku' })
  @Transform(trim)
  @IsString()
  @Chars(1, 120)
  fullName: string;

  @ApiPropertyOptional({ example: 'jane@example.co.ke' })
  @IsOptional()
  @IsEmail()
  @MaxChars(254)
  email?: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'Required for managers and cashiers; admins see all stores',
  })
  @ArrayMaxSize(100)
  @IsId({ each: true })
  storeIds: string[];

  @ApiPropertyOptional({
    example: 2.5,
    description: 'Percent of the ex-VAT total, up to 2 decimals',
  })
  @UnlessAbsent()
  @IsPercentage()
  @Min(0)
  @Max(100)
  commissionRate?: number;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @UnlessAbsent()
  @Transform(trim)
  @IsString()
  @Chars(1, 120)
  fullName?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail()
  @MaxChars(254)
  email?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @UnlessAbsent()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @UnlessAbsent()
  @ArrayMaxSize(100)
  @IsId({ each: true })
  storeIds?: string[];

  @ApiPropertyOptional({ example: 2.5 })
  @UnlessAbsent()
  @IsPercentage()
  @Min(0)
  @Max(100)
  commissionRate?: number;

  @ApiPropertyOptional({ description: 'false revokes every session of the user at once' })
  @UnlessAbsent()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ description: 'Set a new password (revokes the user’s sessions)' })
  @UnlessAbsent()
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxChars(200)
  password?: string;
}

export class ListUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsId()
  storeId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ description: 'Part of username or full name' })
  @IsOptional()
  @IsString()
  @MaxChars(100)
  search?: string;
}

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'jwanjiku' }) username: string;
  @ApiProperty({ example: 'Jane Wanjiku' }) fullName: string;
  @ApiProperty({ nullable: true, type: String }) email: string | null;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ type: [String] }) storeIds: string[];
  @ApiProperty({ example: 2.5 }) commissionRate: number;
  @ApiProperty() active: boolean;
  @ApiProperty() createdAt: string;
}
