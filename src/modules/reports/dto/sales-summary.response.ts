import { ApiProperty } from '@nestjs/swagger';

export class IntervalResponse {
  @ApiProperty({ example: '2026-10-31T21:00:00.000Z', description: 'Inclusive' }) from: string;
  @ApiProperty({ example: '2026-11-25T21:00:00.000Z', description: 'Exclusive' }) to: string;
}

/** Shared by every report that covers a period. */
export class PeriodReportResponse {
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'null: all visible stores',
  })
  storeId: string | null;
  @ApiProperty({ example: 'Africa/Nairobi', description: 'Zone the period and days are in' })
  timeZone: string;
  @ApiProperty({ type: IntervalResponse }) period: IntervalResponse;
  @ApiProperty({
    description:
      'When these figures were computed; reports are cached for REPORT_CACHE_SECONDS, so a sale made since may be missing from them for at most that long',
  })
  computedAt: string;
}

/** The figures of the previous period (units are counted for the current period only). */
export class PreviousFiguresResponse {
  @ApiProperty({ type: 'integer', description: 'Sales that occurred in the period (occurredAt)' })
  salesCount: number;
  @ApiProperty({
    type: 'integer',
    description: 'Σ sale subtotal: VAT-inclusive, before discounts',
    example: 2_820_000,
  })
  grossSales: number;
  @ApiProperty({ type: 'integer', description: 'Σ sale discounts' }) discounts: number;
  @ApiProperty({
    type: 'integer',
    description: 'Σ VAT on sales − Σ VAT refunded by returns made in the period',
  })
  vat: number;
  @ApiProperty({
    type: 'integer',
    description: 'Σ refunds (VAT-inclusive) of returns made in the period, whenever the sale was',
  })
  returns: number;
  @ApiProperty({ type: 'integer', description: 'Returns made in the period' }) returnsCount: number;
  @ApiProperty({
    type: 'integer',
    description:
      'Revenue without VAT after returns: Σ sale totals − returns − vat (= grossSales − discounts − returns − vat)',
  })
  netSales: number;
  @ApiProperty({
    type: 'integer',
    description: 'Σ sale totals / salesCount, rounded (0 without sales)',
  })
  averageSale: number;
}

export class SummaryFiguresResponse extends PreviousFiguresResponse {
  @ApiProperty({ type: 'integer', description: 'Units on the sales of the period' })
  itemsSold: number;
  @ApiProperty({ type: 'integer', description: 'Units given back by returns made in the period' })
  itemsReturned: number;
}

export class SummaryChangeResponse {
  @ApiProperty({ nullable: true, type: Number, example: 12.5 }) salesCount: number | null;
  @ApiProperty({ nullable: true, type: Number }) grossSales: number | null;
  @ApiProperty({ nullable: true, type: Number }) netSales: number | null;
  @ApiProperty({ nullable: true, type: Number }) averageSale: number | null;
}

export class StoreFiguresResponse extends SummaryFiguresResponse {
  @ApiProperty({ format: 'uuid' }) storeId: string;
  @ApiProperty({ example: 'NBO1' }) code: string;
  @ApiProperty() name: string;
}

export class DayFiguresResponse extends SummaryFiguresResponse {
  @ApiProperty({ example: '2026-11-01', description: 'Local date in timeZone' }) date: string;
}

export class PaymentMethodResponse {
  @ApiProperty({ enum: ['cash', 'mpesa', 'card'] }) method: string;
  @ApiProperty({ type: 'integer', description: 'Payments of this method on sales in the period' })
  payments: number;
  @ApiProperty({ type: 'integer', description: 'Collected: Σ payments (cash net of change given)' })
  amount: number;
  @ApiProperty({
    type: 'integer',
    description: 'Refunded by this method in returns made in the period',
  })
  refunds: number;
  @ApiProperty({ type: 'integer', description: 'amount − refunds' }) net: number;
}

export class SalesSummaryResponse extends PeriodReportResponse {
  @ApiProperty({ type: IntervalResponse, description: 'Equal length, ending where period starts' })
  previousPeriod: IntervalResponse;
  @ApiProperty({ type: SummaryFiguresResponse }) totals: SummaryFiguresResponse;
  @ApiProperty({ type: PreviousFiguresResponse }) previousTotals: PreviousFiguresResponse;
  @ApiProperty({
    type: SummaryChangeResponse,
    description:
      '% change against the previous period, 2 decimals, measured against |previous|; null when the previous value was 0',
  })
  changePct: SummaryChangeResponse;
  @ApiProperty({ type: [StoreFiguresResponse], description: 'Every store in scope, by code' })
  byStore: StoreFiguresResponse[];
  @ApiProperty({ type: [PaymentMethodResponse] }) byPaymentMethod: PaymentMethodResponse[];
  @ApiProperty({ type: [DayFiguresResponse], description: 'Every local day of the period' })
  byDay: DayFiguresResponse[];
}
