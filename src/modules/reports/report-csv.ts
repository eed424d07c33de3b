import type { CsvColumn } from '../../common/csv/csv';
import type {
  CashierFiguresResponse,
  TopProductResponse,
  ValuationRowResponse,
} from './dto/report-lists.response';
import type { DayFiguresResponse } from './dto/sales-summary.response';

function columns<T>(keys: readonly (keyof T & string)[]): CsvColumn<T>[] {
  return keys.map((key) => ({ header: key, value: (row: T) => row[key] as never }));
}

/** The sales summary as CSV: one row per local day of the period (no totals row). */
export const SUMMARY_DAY_COLUMNS = columns<DayFiguresResponse>([
  'date',
  'salesCount',
  'itemsSold',
  'itemsReturned',
  'grossSales',
  'discounts',
  'vat',
  'returns',
  'returnsCount',
  'netSales',
  'averageSale',
]);

export const TOP_PRODUCT_COLUMNS = columns<TopProductResponse>([
  'rank',
  'productId',
  'sku',
  'name',
  'quantitySold',
  'quantityReturned',
  'quantity',
  'revenue',
  'netRevenue',
]);

export const CASHIER_COLUMNS = columns<CashierFiguresResponse>([
  'cashierId',
  'username',
  'fullName',
  'salesCount',
  'grossSales',
  'returns',
  'netSales',
  'commission',
]);

export const VALUATION_COLUMNS = columns<ValuationRowResponse>([
  'productId',
  'sku',
  'name',
  'category',
  'quantity',
  'costPrice',
  'unitPrice',
  'costValue',
  'retailValue',
]);
