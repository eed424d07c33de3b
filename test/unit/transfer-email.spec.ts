import {
  renderTransferEmail,
  TransferEmailFacts,
} from '../../src/modules/transfers/transfer-email';

const facts: TransferEmailFacts = {
  event: 'requested',
  transferId: '6f1c2e7a-0000-4000-8000-000000000001',
  status: 'pending',
  from: { code: 'NBO1', name: 'Nairobi CBD', timeZone: 'Africa/Nairobi' },
  to: { code: 'MSA1', name: 'Mombasa Nyali' },
  items: [
    { sku: 'MLK-500', name: 'Milk 500ml', quantity: 24 },
    { sku: 'RICE-2KG', name: 'Pishori Rice 2kg', quantity: 6 },
  ],
  note: 'Weekend stock',
  reason: null,
  requestedBy: 'Jane Wanjiku (jwanjiku)',
  requestedAt: new Date('2025-11-25T07:30:00Z'),
  decidedBy: null,
  decidedAt: null,
};

describe('transfer email', () => {
  it('a request names the route and lists every item with SKU, name and quantity', () => {
    const { subject, text, html } = renderTransferEmail(facts);
    expect(subject).toBe('Transfer request NBO1 → MSA1');
    expect(text).toMatch(/From:\s+Nairobi CBD \(NBO1\)/);
    expect(text).toMatch(/To:\s+Mombasa Nyali \(MSA1\)/);
    expect(text).toMatch(/Requested by:\s+Jane Wanjiku \(jwanjiku\)/);
    expect(text).toContain('25 Nov 2025, 10:30 (Africa/Nairobi)');
    expect(text).toMatch(/MLK-500\s+24\s+Milk 500ml/);
    expect(text).toMatch(/RICE-2KG\s+6\s+Pishori Rice 2kg/);
    expect(text).toContain('A manager of NBO1 can approve or reject this request.');
    expect(text).toContain(facts.transferId);
    for (const value of ['MLK-500', 'Milk 500ml', '>24<', 'Weekend stock', 'NBO1 → MSA1']) {
      expect(html).toContain(value);
    }
  });

  it.each([
    ['completed', 'Transfer approved: NBO1 → MSA1', 'The stock has moved'],
    ['rejected', 'Transfer rejected: NBO1 → MSA1', 'no stock moved'],
    ['cancelled', 'Transfer cancelled: NBO1 → MSA1', 'no stock moved'],
  ] as const)('a %s decision says so, with who and why', (status, subject, outcome) => {
    const email = renderTransferEmail({
      ...facts,
      event: 'decided',
      status,
      reason: status === 'rejected' ? 'We need it ourselves' : null,
      decidedBy: 'Peter Otieno (potieno)',
      decidedAt: new Date('2025-11-25T09:00:00Z'),
    });
    expect(email.subject).toBe(subject);
    expect(email.text).toContain(outcome);
    expect(email.text).toMatch(/by:\s+Peter Otieno \(potieno\)/);
    if (status === 'rejected') expect(email.text).toMatch(/Reason:\s+We need it ourselves/);
  });

  it('escapes every interpolated value in the HTML body and keeps headers on one line', () => {
    const { html, subject } = renderTransferEmail({
      ...facts,
      from: { ...facts.from, code: 'NB\r\nBcc: x@y' },
      items: [{ sku: '<b>', name: '<img src=x onerror=alert(1)>', quantity: 1 }],
      note: `Tom & Jerry's "Mall"`,
    });
    expect(html).not.toMatch(/<img|<b>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('Tom &amp; Jerry&#39;s &quot;Mall&quot;');
    expect(subject).not.toMatch(/[\r\n]/);
  });
});
