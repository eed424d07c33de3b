/** The low-stock email, rendered from plain facts: pure, so it is unit-tested without services. */
export interface LowStockFacts {
  store: { name: string; code: string; timeZone: string };
  product: { name: string; sku: string };
  /** Quantity right after the movement that crossed the level. */
  quantity: number;
  reorderLevel: number;
  /** When the stock moved (the outbox row's creation time). */
  occurredAt: Date;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]);
}

/** Names typed by users go into a header: no line breaks or other control characters. */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

export function formatTime(at: Date, timeZone: string): string {
  const format = (zone: string) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' })
      .format(at)
      .concat(` (${zone})`);
  try {
    return format(timeZone);
  } catch {
    return format('UTC'); // an unknown zone must not stop the alert
  }
}

export function renderLowStockEmail(facts: LowStockFacts): RenderedEmail {
  const store = oneLine(facts.store.name);
  const code = oneLine(facts.store.code);
  const product = oneLine(facts.product.name);
  const sku = oneLine(facts.product.sku);
  const when = formatTime(facts.occurredAt, facts.store.timeZone);
  const rows: [string, string | number][] = [
    ['Store', `${store} (${code})`],
    ['Product', product],
    ['SKU', sku],
    ['Quantity in stock', facts.quantity],
    ['Reorder level', facts.reorderLevel],
    ['Stock moved', when],
  ];
  const subject = `Low stock at ${store}: ${product} (SKU ${sku})`;
  const text = [
    `Low stock at ${store} (${code})`,
    '',
    ...rows.slice(1).map(([label, value]) => `${`${label}:`.padEnd(19)}${value}`),
    '',
    `${product} is at or below its reorder level at ${store}. Please reorder.`,
    '',
    '-- ',
    'POS backend low-stock alert. One email per crossing: no other email is sent until stock rises above the reorder level again.',
    '',
  ].join('\n');
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: Arial, sans-serif; color: #222;">
<h2 style="margin: 0 0 12px;">Low stock at ${escapeHtml(store)}</h2>
<table cellpadding="6" style="border-collapse: collapse;">
${rows
  .map(
    ([label, value]) =>
      `<tr><th align="left" style="border-bottom: 1px solid #ddd;">${escapeHtml(label)}</th><td style="border-bottom: 1px solid #ddd;">${escapeHtml(value)}</td></tr>`,
  )
  .join('\n')}
</table>
<p>${escapeHtml(product)} is at or below its reorder level at ${escapeHtml(store)}. Please reorder.</p>
<p style="color: #777; font-size: 12px;">POS backend low-stock alert. One email per crossing: no other email is sent until stock rises above the reorder level again.</p>
</body>
</html>
`;
  return { subject, text, html };
}
