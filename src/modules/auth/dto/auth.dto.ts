import { ApiProperty } from '@nestjs/swagger';
import { IsString, MinLength } from 'class-validator';
import { MaxChars } from '../../../common/validators/fields';
import { UserResponse } from '../../users/dto/user.dto';
import { PASSWORD_MIN_LENGTH } from '../../users/password-hasher';

export class LoginDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @MinLength(1)
  @MaxChars(100)
  username: string;

  @ApiProperty({ example: 'demo-admin-pass' })
  @IsString()
  @MinLength(1)
  @MaxChars(200)
  password: string;
}

export class RefreshDto {
  /** Any string: a cleared or truncated token is a bad token (401), as a till expects. */
  @ApiProperty()
  @IsString()
  @MaxChars(200)
  refreshToken: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @MaxChars(200)
  currentPassword: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxChars(200)
  newPassword: string;
}

export class TokenPairResponse {
  @ApiProperty({ description: 'Bearer token for every other call' }) accessToken: string;
  @ApiProperty({ description: 'Single use: POST /auth/refresh returns a new pair' })
  refreshToken: string;
  @ApiProperty({
    type: 'integer',
    example: 900,
    description: 'Seconds until the access token expires',
  })
  expiresIn: number;
}

export class LoginResponse extends TokenPairResponse {
  @ApiProperty({ type: UserResponse }) user: UserResponse;
}
