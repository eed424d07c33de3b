import { escapeHtml, formatTime, oneLine, RenderedEmail } from '../notifications/low-stock-email';
import type { TransferStatus } from './transfer.entity';

/** The facts of a transfer email: pure, so it is unit-tested without services. */
export interface TransferEmailFacts {
  event: 'requested' | 'decided';
  transferId: string;
  status: TransferStatus;
  from: { code: string; name: string; timeZone: string };
  to: { code: string; name: string };
  items: { sku: string; name: string; quantity: number }[];
  note: string | null;
  reason: string | null;
  requestedBy: string;
  requestedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
}

const DECISION_WORD: Record<TransferStatus, string> = {
  pending: 'pending',
  completed: 'approved',
  rejected: 'rejected',
  cancelled: 'cancelled',
};

function outcomeLine(facts: TransferEmailFacts, from: string, to: string): string {
  if (facts.event === 'requested' && facts.status === 'pending')
    return `A manager of ${from} can approve or reject this request.`;
  switch (facts.status) {
    case 'completed':
      return `The stock has moved out of ${from} and into ${to}.`;
    case 'rejected':
      return `The request was rejected; no stock moved.`;
    case 'cancelled':
      return `The request was cancelled; no stock moved.`;
    default:
      return `The request is ${facts.status}.`;
  }
}

export function renderTransferEmail(facts: TransferEmailFacts): RenderedEmail {
  const fromCode = oneLine(facts.from.code);
  const toCode = oneLine(facts.to.code);
  const route = `${fromCode} → ${toCode}`;
  const subject =
    facts.event === 'requested'
      ? `Transfer request ${route}`
      : `Transfer ${DECISION_WORD[facts.status]}: ${route}`;
  const from = `${oneLine(facts.from.name)} (${fromCode})`;
  const to = `${oneLine(facts.to.name)} (${toCode})`;
  const when = (at: Date) => formatTime(at, facts.from.timeZone);
  const rows: [string, string][] = [
    ['From', from],
    ['To', to],
    ['Status', DECISION_WORD[facts.status]],
    ['Requested by', oneLine(facts.requestedBy)],
    ['Requested', when(facts.requestedAt)],
  ];
  if (facts.note) rows.push(['Note', oneLine(facts.note)]);
  if (facts.decidedBy)
    rows.push([`${capitalize(DECISION_WORD[facts.status])} by`, oneLine(facts.decidedBy)]);
  if (facts.decidedAt) rows.push([capitalize(DECISION_WORD[facts.status]), when(facts.decidedAt)]);
  if (facts.reason) rows.push(['Reason', oneLine(facts.reason)]);
  rows.push(['Transfer id', facts.transferId]);
  const outcome = outcomeLine(facts, fromCode, toCode);
  const items = facts.items.map((item) => ({
    sku: oneLine(item.sku),
    name: oneLine(item.name),
    quantity: item.quantity,
  }));
  const skuWidth = Math.max(3, ...items.map((item) => item.sku.length)) + 2;
  const text = [
    subject,
    '',
    ...rows.map(([label, value]) => `${`${label}:`.padEnd(15)}${value}`),
    '',
    `Items (${items.length}):`,
    `  ${'SKU'.padEnd(skuWidth)}Quantity  Name`,
    ...items.map(
      (item) => `  ${item.sku.padEnd(skuWidth)}${String(item.quantity).padStart(8)}  ${item.name}`,
    ),
    '',
    outcome,
    '',
    '-- ',
    'POS backend transfer notification.',
    '',
  ].join('\n');
  const cell = 'style="border-bottom: 1px solid #ddd;"';
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: Arial, sans-serif; color: #222;">
<h2 style="margin: 0 0 12px;">${escapeHtml(subject)}</h2>
<table cellpadding="6" style="border-collapse: collapse;">
${rows
  .map(
    ([label, value]) =>
      `<tr><th align="left" ${cell}>${escapeHtml(label)}</th><td ${cell}>${escapeHtml(value)}</td></tr>`,
  )
  .join('\n')}
</table>
<h3 style="margin: 16px 0 8px;">Items (${items.length})</h3>
<table cellpadding="6" style="border-collapse: collapse;">
<tr><th align="left" ${cell}>SKU</th><th align="left" ${cell}>Product</th><th align="right" ${cell}>Quantity</th></tr>
${items
  .map(
    (item) =>
      `<tr><td ${cell}>${escapeHtml(item.sku)}</td><td ${cell}>${escapeHtml(item.name)}</td><td align="right" ${cell}>${escapeHtml(item.quantity)}</td></tr>`,
  )
  .join('\n')}
</table>
<p>${escapeHtml(outcome)}</p>
<p style="color: #777; font-size: 12px;">POS backend transfer notification.</p>
</body>
</html>
`;
  return { subject, text, html };
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
