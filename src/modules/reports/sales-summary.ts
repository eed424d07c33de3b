import { PAYMENT_METHODS } from '../sales/sale-payment.entity';
import type { ReturnsGroupRow, SalesGroupRow } from './reports.repository';
import { average, changePct } from './report-math';

/** Sales and returns of one bucket, before they are combined. */
interface Sums {
  salesCount: number;
  items: number;
  gross: number;
  discounts: number;
  vat: number;
  total: number;
  returnsCount: number;
  itemsReturned: number;
  refunds: number;
  vatRefund: number;
}

/** The figures of a period (or one store, or one day of it). Money in minor units. */
export interface SummaryFigures {
  salesCount: number;
  itemsSold: number;
  itemsReturned: number;
  grossSales: number;
  discounts: number;
  vat: number;
  returns: number;
  returnsCount: number;
  netSales: number;
  averageSale: number;
}

/** The previous period's figures: units are not counted there. */
export type PreviousFigures = Omit<SummaryFigures, 'itemsSold' | 'itemsReturned'>;

export interface SummaryChange {
  salesCount: number | null;
  grossSales: number | null;
  netSales: number | null;
  averageSale: number | null;
}

export interface PaymentMethodFigures {
  method: string;
  payments: number;
  amount: number;
  refunds: number;
  net: number;
}

export interface SummaryParts {
  totals: SummaryFigures;
  previousTotals: PreviousFigures;
  changePct: SummaryChange;
  /** Figures of one store of the scope (zeros when it sold nothing). */
  ofStore: (storeId: string) => SummaryFigures;
  byDay: ({ date: string } & SummaryFigures)[];
  byPaymentMethod: PaymentMethodFigures[];
}

const EMPTY: Sums = {
  salesCount: 0,
  items: 0,
  gross: 0,
  discounts: 0,
  vat: 0,
  total: 0,
  returnsCount: 0,
  itemsReturned: 0,
  refunds: 0,
  vatRefund: 0,
};

/**
 * The definitions, in one place: sales count in the period they occurred, returns in the
 * period they were made. vat = VAT on sales − VAT refunded; netSales = sales totals (after
 * discounts) − refunds − vat, i.e. revenue without VAT after returns, so
 * grossSales − discounts − returns − vat = netSales. averageSale = totals paid / salesCount.
 */
export function figuresOf(sums: Sums): SummaryFigures {
  const vat = sums.vat - sums.vatRefund;
  return {
    salesCount: sums.salesCount,
    itemsSold: sums.items,
    itemsReturned: sums.itemsReturned,
    grossSales: sums.gross,
    discounts: sums.discounts,
    vat,
    returns: sums.refunds,
    returnsCount: sums.returnsCount,
    netSales: sums.total - sums.refunds - vat,
    averageSale: average(sums.total, sums.salesCount),
  };
}

function keyOf(dimension: string, row: { store_id: string | null; day: string | null }) {
  return dimension === 'store' ? row.store_id : dimension === 'day' ? row.day : null;
}

/** Folds the grouping-set rows of sales and returns into per-bucket sums. */
function collect(sales: SalesGroupRow[], returns: ReturnsGroupRow[]) {
  const buckets = new Map<string, Sums>();
  const bucket = (current: boolean, dimension: string, key: string | null) => {
    const id = `${current ? 'now' : 'before'}:${dimension}:${key ?? ''}`;
    let sums = buckets.get(id);
    if (!sums) buckets.set(id, (sums = { ...EMPTY }));
    return sums;
  };
  for (const row of sales) {
    Object.assign(bucket(row.current, row.dimension, keyOf(row.dimension, row)), {
      salesCount: row.sales_count,
      items: row.items,
      gross: row.gross,
      discounts: row.discounts,
      vat: row.vat,
      total: row.total,
    });
  }
  for (const row of returns) {
    if (row.dimension === 'method') continue;
    Object.assign(bucket(row.current, row.dimension, keyOf(row.dimension, row)), {
      returnsCount: row.returns_count,
      itemsReturned: row.items,
      refunds: row.refunds,
      vatRefund: row.vat_refund,
    });
  }
  return { buckets, bucket };
}

/** Cash handed back as change leaves the till: it is taken off the cash collected. */
function paymentFigures(
  totals: SalesGroupRow | undefined,
  returns: ReturnsGroupRow[],
): PaymentMethodFigures[] {
  return PAYMENT_METHODS.map((method) => {
    const refunded = returns.find(
      (row) => row.current && row.dimension === 'method' && row.method === method,
    );
    const amount =
      (totals?.[`${method}_amount`] ?? 0) - (method === 'cash' ? (totals?.change ?? 0) : 0);
    const refunds = refunded?.refunds ?? 0;
    return {
      method,
      payments: totals?.[`${method}_payments`] ?? 0,
      amount,
      refunds,
      net: amount - refunds,
    };
  });
}

export function buildSummary(
  rows: { sales: SalesGroupRow[]; returns: ReturnsGroupRow[] },
  days: string[],
): SummaryParts {
  const { bucket } = collect(rows.sales, rows.returns);
  const totals = figuresOf(bucket(true, 'total', null));
  const {
    itemsSold: _sold,
    itemsReturned: _returned,
    ...previousTotals
  } = figuresOf(bucket(false, 'total', null));
  return {
    totals,
    previousTotals,
    changePct: {
      salesCount: changePct(totals.salesCount, previousTotals.salesCount),
      grossSales: changePct(totals.grossSales, previousTotals.grossSales),
      netSales: changePct(totals.netSales, previousTotals.netSales),
      averageSale: changePct(totals.averageSale, previousTotals.averageSale),
    },
    ofStore: (storeId) => figuresOf(bucket(true, 'store', storeId)),
    byDay: days.map((date) => ({ date, ...figuresOf(bucket(true, 'day', date)) })),
    byPaymentMethod: paymentFigures(
      rows.sales.find((row) => row.current && row.dimension === 'total'),
      rows.returns,
    ),
  };
}
