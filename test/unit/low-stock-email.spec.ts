import { escapeHtml, renderLowStockEmail } from '../../src/modules/notifications/low-stock-email';
import { uniqueAddresses } from '../../src/modules/notifications/outbox-composers';

const facts = {
  store: { name: 'Nairobi CBD', code: 'NBO1', timeZone: 'Africa/Nairobi' },
  product: { name: 'Milk 500ml', sku: 'MLK-500' },
  quantity: 3,
  reorderLevel: 5,
  occurredAt: new Date('2025-11-25T17:05:00Z'),
};

describe('low-stock email', () => {
  it('names store and product in the subject', () => {
    expect(renderLowStockEmail(facts).subject).toBe(
      'Low stock at Nairobi CBD: Milk 500ml (SKU MLK-500)',
    );
  });

  it('shows store, product, SKU, quantity, reorder level and local time in both bodies', () => {
    const { text, html } = renderLowStockEmail(facts);
    expect(text).toContain('Low stock at Nairobi CBD (NBO1)');
    expect(text).toMatch(/Product:\s+Milk 500ml/);
    expect(text).toMatch(/SKU:\s+MLK-500/);
    expect(text).toMatch(/Quantity in stock:\s+3/);
    expect(text).toMatch(/Reorder level:\s+5/);
    expect(text).toContain('25 Nov 2025, 20:05 (Africa/Nairobi)'); // UTC+3
    for (const value of ['Nairobi CBD (NBO1)', 'Milk 500ml', 'MLK-500', '>3<', '>5<', '20:05']) {
      expect(html).toContain(value);
    }
  });

  it('escapes every interpolated value in the HTML body', () => {
    const { html, subject } = renderLowStockEmail({
      ...facts,
      store: { ...facts.store, name: `Tom & Jerry's "Mall"` },
      product: { name: '<img src=x onerror=alert(1)>', sku: '<b>' },
    });
    expect(html).not.toMatch(/<img|<b>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('Tom &amp; Jerry&#39;s &quot;Mall&quot;');
    expect(subject).toBe(
      `Low stock at Tom & Jerry's "Mall": <img src=x onerror=alert(1)> (SKU <b>)`,
    );
  });

  it('keeps line breaks out of the subject', () => {
    const { subject } = renderLowStockEmail({
      ...facts,
      product: { name: 'Milk\r\nBcc: victim@example.com', sku: 'MLK' },
    });
    expect(subject).toBe('Low stock at Nairobi CBD: Milk Bcc: victim@example.com (SKU MLK)');
  });

  it('falls back to UTC for an unknown time zone', () => {
    const { text } = renderLowStockEmail({
      ...facts,
      store: { ...facts.store, timeZone: 'Mars/Base' },
    });
    expect(text).toContain('25 Nov 2025, 17:05 (UTC)');
  });

  it('escapeHtml covers the five special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });
});

describe('recipients', () => {
  it('drops duplicates case-insensitively and blanks, keeping first-seen order', () => {
    expect(
      uniqueAddresses([' stock@shop.ke', 'Boss@shop.ke', 'STOCK@shop.ke', '', 'boss@SHOP.ke']),
    ).toEqual(['stock@shop.ke', 'Boss@shop.ke']);
  });
});
