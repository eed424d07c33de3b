import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/http/public.decorator';
import { HealthIndicators } from './health.indicators';

/** Terminus's report: `status` and, per indicator, `{ status: 'up' | 'down', message? }`. */
const REPORT_SCHEMA = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'error', 'shutting_down'] },
    info: { type: 'object', additionalProperties: true },
    error: { type: 'object', additionalProperties: true },
    details: { type: 'object', additionalProperties: true },
  },
  example: { status: 'ok', info: { database: { status: 'up' } }, error: {}, details: {} },
};

@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly healthChecks: HealthCheckService,
    private readonly indicators: HealthIndicators,
  ) {}

  @Get('health')
  @ApiOperation({
    summary:
      'Liveness and dependencies: database and Redis indicators, and the notifications queue when Redis is configured',
  })
  @ApiResponse({ status: 200, description: 'Every indicator is up', schema: REPORT_SCHEMA })
  @ApiResponse({
    status: 503,
    description: 'At least one indicator is down',
    schema: REPORT_SCHEMA,
  })
  health(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.run(reply, [
      () => this.indicators.database(true),
      () => this.indicators.redisServer(),
      ...(this.indicators.hasQueue ? [() => this.indicators.queue()] : []),
    ]);
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: database reachable, migrations applied, process not shutting down',
  })
  @ApiResponse({ status: 200, description: 'Ready to take traffic', schema: REPORT_SCHEMA })
  @ApiResponse({ status: 503, description: 'Not ready', schema: REPORT_SCHEMA })
  ready(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.run(reply, [
      () => this.indicators.accepting(),
      () => this.indicators.database(),
      () => this.indicators.migrations(),
    ]);
  }

  /** Terminus signals "down" with an exception; answer with its report and a 503 instead. */
  private async run(
    reply: FastifyReply,
    checks: Parameters<HealthCheckService['check']>[0],
  ): Promise<HealthCheckResult> {
    try {
      return await this.healthChecks.check(checks);
    } catch (error) {
      const report = (error as { getResponse?: () => unknown }).getResponse?.();
      if (!report || typeof report !== 'object' || !('status' in report)) throw error;
      reply.status(503).header('Cache-Control', 'no-store');
      return report as HealthCheckResult;
    }
  }
}
