import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Store } from '../stores/store.entity';

const money = { type: 'bigint' } as const;
const count = { type: 'integer' } as const;

/**
 * One store's sales on one closed local day, pre-aggregated for the reports. A day is closed
 * when no till may date a sale into it any more (it ended more than SALE_MAX_BACKDATE_HOURS
 * ago), so its row never changes; sale amounts are immutable and returns are reported apart.
 * Written only by DailyRollupService, for every day from the store's first sale on (zeros
 * included), so the latest row marks how far a store is rolled up. Rows made under another
 * time zone or a shorter backdating window are ignored by the reports and rebuilt.
 */
@Entity('report_daily_sales')
export class ReportDailySales {
  @PrimaryColumn('uuid')
  storeId: string;

  @ManyToOne(() => Store, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'store_id', foreignKeyConstraintName: 'fk_report_daily_sales_store' })
  store?: Store;

  /** The local date in `timeZone`. */
  @PrimaryColumn('date')
  day: string;

  @Column({ type: 'varchar', length: 64 })
  timeZone: string;

  /** SALE_MAX_BACKDATE_HOURS when the row was made. */
  @Column('integer')
  backdateHours: number;

  @Column(count) salesCount: number;
  @Column(money) items: number;
  @Column(money) gross: number;
  @Column(money) discounts: number;
  @Column(money) vat: number;
  @Column(money) total: number;
  @Column(money) change: number;
  @Column(count) cashPayments: number;
  @Column(money) cashAmount: number;
  @Column(count) mpesaPayments: number;
  @Column(money) mpesaAmount: number;
  @Column(count) cardPayments: number;
  @Column(money) cardAmount: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  computedAt: Date;
}
