import { Controller, Get, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../../common/auth/decorators';
import { sendCsv } from '../../common/csv/csv';
import { AuditService } from './audit.service';
import { AuditLogQueryDto } from './dto/audit-log-query.dto';
import { AUDIT_LOG_CSV_COLUMNS, AuditLogPage } from './dto/audit-log.response';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit-logs')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  // Without `passthrough` Nest sends nothing itself: each branch sends the reply once, so the
  // CSV stream is the only body ever written.
  @Get()
  @Roles('admin')
  @ApiOperation({
    summary: 'Audit entries, newest first. Roles: admin',
    description: 'With `format=csv` every matching entry is streamed as CSV (page is ignored).',
  })
  @ApiExtraModels(AuditLogPage)
  @ApiOkResponse({
    description: 'A page of entries, or with `format=csv` a CSV attachment (audit-logs.csv)',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(AuditLogPage) } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  async list(@Query() query: AuditLogQueryDto, @Res() reply: FastifyReply): Promise<FastifyReply> {
    if (query.format === 'csv') {
      return sendCsv(reply, 'audit-logs.csv', AUDIT_LOG_CSV_COLUMNS, this.audit.stream(query));
    }
    return reply.send(await this.audit.list(query));
  }
}
