import { escapeHtml, oneLine, RenderedEmail } from '../notifications/low-stock-email';
import type { ErrorAlertPayload } from '../notifications/outbox-message';

/** The error alert for ADMIN_EMAILS, rendered from its outbox payload: pure. */
export function renderErrorAlertEmail(alert: ErrorAlertPayload, sentAt: Date): RenderedEmail {
  const message = oneLine(alert.message) || '(no message)';
  const short = message.length > 120 ? `${message.slice(0, 117)}…` : message;
  const occurrences =
    alert.count === 1
      ? `once, at ${alert.firstSeen}`
      : `${alert.count} times since ${alert.firstSeen} (the previous alert covered the ones before)`;
  const rows: [string, string][] = [
    ['Error', message],
    ['Where', alert.source],
    ['Host', alert.host],
    ['Request id', alert.requestId ?? '—'],
    ['Occurred', occurrences],
    ['First stack frame', alert.frame ?? '—'],
    ['Fingerprint', alert.fingerprint],
    ['Alert written', sentAt.toISOString()],
  ];
  const footer =
    'Further occurrences of this error are counted but not emailed for 10 minutes. ' +
    'The full stack trace is in the error log: search for the request id or the message.';
  const subject = `[POS error] ${short}`;
  const text = [
    'An unhandled error occurred in the POS backend.',
    '',
    ...rows.map(([label, value]) => `${`${label}:`.padEnd(19)}${value}`),
    '',
    footer,
    '',
  ].join('\n');
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: Arial, sans-serif; color: #222;">
<h2 style="margin: 0 0 12px; color: #b00020;">Unhandled error in the POS backend</h2>
<table cellpadding="6" style="border-collapse: collapse;">
${rows
  .map(
    ([label, value]) =>
      `<tr><th align="left" style="border-bottom: 1px solid #ddd;">${escapeHtml(label)}</th><td style="border-bottom: 1px solid #ddd; font-family: monospace;">${escapeHtml(value)}</td></tr>`,
  )
  .join('\n')}
</table>
<p style="color: #777; font-size: 12px;">${escapeHtml(footer)}</p>
</body>
</html>
`;
  return { subject, text, html };
}
