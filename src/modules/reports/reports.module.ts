import { Module } from '@nestjs/common';
import { StoresModule } from '../stores/stores.module';
import { DailyRollupService } from './daily-rollup.service';
import { ReportCache } from './report-cache';
import { ReportClock, ReportScopes } from './report-scope';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';

@Module({
  imports: [StoresModule],
  controllers: [ReportsController],
  providers: [
    ReportsService,
    ReportsRepository,
    ReportScopes,
    ReportCache,
    ReportClock,
    DailyRollupService,
  ],
})
export class ReportsModule {}
