import { DataSource } from 'typeorm';
import type { TestApp } from './app';
import { receiveStock } from './catalog';
import { bearer, login, seedStore, seedUser, signedIn } from './auth';
import { postSale, SaleItem } from './sales';

/** A store with its own manager and a 2.5% cashier, so a test reads only its own sales. */
export async function staffedStore(api: TestApp) {
  const storeId = await seedStore(api);
  const seller = await seedUser(api, 'cashier', [storeId], { commissionRate: 2.5 });
  return {
    storeId,
    manager: (await signedIn(api, 'manager', [storeId])).token,
    cashier: (await login(api, seller.username)).accessToken,
    cashierId: seller.id,
  };
}

/**
 * A sale through POST /sales at a given `occurredAt` (the app runs with a large
 * SALE_MAX_BACKDATE_HOURS), with the stock received first. Pays exactly in cash unless told.
 */
export async function sellAt(
  api: TestApp,
  token: string,
  storeId: string,
  occurredAt: string,
  items: SaleItem[],
  payments?: object[],
) {
  for (const item of items) await receiveStock(api, storeId, item.productId, item.quantity);
  const response = await postSale(api, token, {
    storeId,
    items,
    occurredAt,
    ...(payments ? { payments } : {}),
  });
  if (response.statusCode !== 201)
    throw new Error(`sale failed: ${response.statusCode} ${response.body}`);
  return response.json();
}

/** GET /api/v1/reports/<report>?<query>, undefined values left out. */
export function getReport(
  api: TestApp,
  token: string,
  report: string,
  query: Record<string, string | number | undefined> = {},
) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) search.set(key, String(value));
  return api.request({
    method: 'GET',
    url: `/api/v1/reports/${report}?${search.toString()}`,
    headers: bearer(token),
  });
}

/** Parses RFC 4180 text (quoted fields, doubled quotes, CRLF) into rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index++;
    } else field += char;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

export interface InsertedLine {
  productId: string;
  quantity: number;
  unitPrice: number;
  discount?: number;
  /** VAT inside the line total. */
  vat?: number;
}

/**
 * A sale written straight into the tables, for dates the API may not backdate to. Totals follow
 * the lines; `payments` default to exact cash; `change` is what cash overpaid.
 */
export async function insertSale(
  api: TestApp,
  sale: {
    storeId: string;
    cashierId: string;
    occurredAt: string;
    lines: InsertedLine[];
    payments?: { method: string; amount: number }[];
    commission?: number;
  },
): Promise<string> {
  const dataSource = api.app.get(DataSource);
  const totals = sale.lines.map((line) => line.quantity * line.unitPrice - (line.discount ?? 0));
  const total = totals.reduce((sum, value) => sum + value, 0);
  const payments = sale.payments ?? [{ method: 'cash', amount: total }];
  const paid = payments.reduce((sum, payment) => sum + payment.amount, 0);
  const [{ id }] = await dataSource.query(
    `INSERT INTO sales (id, store_id, receipt_seq, receipt_number, cashier_id, subtotal, discount_total,
                        vat_total, total, paid, change, commission, commission_rate_bp, vat_breakdown, occurred_at)
     SELECT gen_random_uuid(), $1, COALESCE(max(receipt_seq), 0) + 1, 'T-' || (COALESCE(max(receipt_seq), 0) + 1),
            $2, $3, $4, $5, $6, $7, $8, $9, 0, '[]', $10
       FROM sales WHERE store_id = $1
     RETURNING id`,
    [
      sale.storeId,
      sale.cashierId,
      sale.lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0),
      sale.lines.reduce((sum, line) => sum + (line.discount ?? 0), 0),
      sale.lines.reduce((sum, line) => sum + (line.vat ?? 0), 0),
      total,
      paid,
      paid - total,
      sale.commission ?? 0,
      sale.occurredAt,
    ],
  );
  for (const [index, line] of sale.lines.entries()) {
    await dataSource.query(
      `INSERT INTO sale_lines (sale_id, store_id, line_no, product_id, sku, name, quantity, unit_price,
                               discount, tax_class, vat_rate_bp, vat, total)
       VALUES ($1, $9, $2, $3, 'SKU', 'Line', $4, $5, $6, 'standard', 1600, $7, $8)`,
      [
        id,
        index + 1,
        line.productId,
        line.quantity,
        line.unitPrice,
        line.discount ?? 0,
        line.vat ?? 0,
        totals[index],
        sale.storeId,
      ],
    );
  }
  for (const payment of payments) {
    await dataSource.query(
      `INSERT INTO sale_payments (sale_id, store_id, method, amount) VALUES ($1, $2, $3, $4)`,
      [id, sale.storeId, payment.method, payment.amount],
    );
  }
  return id;
}
