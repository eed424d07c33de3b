import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { bearer, seedStore, signedIn } from '../support/auth';
import { seedProduct } from '../support/catalog';
import { postSale } from '../support/sales';
import { SmtpSink } from '../support/smtp-sink';
import { eventually, sleep } from '../support/eventually';

describe('low-stock alerts from real stock movements (embedded mode)', () => {
  let api: TestApp;
  let smtp: SmtpSink;
  let storeId: string;
  let manager: string;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    api = await startTestApp({
      env: {
        REDIS_URL: undefined,
        SMTP_URL: smtp.url,
        OUTBOX_POLL_MS: '50',
        OUTBOX_BACKOFF_MS: '100',
      },
    });
    storeId = await seedStore(api, { name: 'Kisumu Mega' });
    await api.app
      .get(DataSource)
      .query(`UPDATE stores SET low_stock_emails = '{stock@kisumu.example}' WHERE id = $1`, [
        storeId,
      ]);
    manager = (await signedIn(api, 'manager', [storeId])).token;
  });
  afterAll(async () => {
    await api.close();
    await smtp.stop();
  });

  const adjust = (productId: string, delta: number) =>
    api.request({
      method: 'POST',
      url: `/api/v1/stores/${storeId}/inventory/adjustments`,
      headers: bearer(manager),
      payload: { productId, delta, reason: delta > 0 ? 'receiving' : 'damage' },
    });

  it('one email per crossing: none while stock stays below, one more after restocking above', async () => {
    const productId = await seedProduct(api, { name: 'Sugar 2kg', reorderLevel: 5 });
    const mailsFor = () => smtp.messages.filter((mail) => mail.subject.includes('Sugar 2kg'));
    expect((await adjust(productId, 8)).statusCode).toBe(201);
    expect((await adjust(productId, -3)).statusCode).toBe(201); // 5: at the level → crossing
    await eventually(() => expect(mailsFor()).toHaveLength(1));
    const [mail] = mailsFor();
    expect(mail.subject).toContain('Kisumu Mega');
    expect(mail.recipients).toContain('stock@kisumu.example');
    expect(mail.text).toMatch(/Quantity in stock:\s+5\n/);
    expect(mail.text).toMatch(/Reorder level:\s+5\n/);

    const sale = await postSale(api, manager, { storeId, items: [{ productId, quantity: 2 }] }); // 3: stays below
    expect(sale.statusCode).toBe(201);
    await adjust(productId, -1); // 2: stays below
    await sleep(500);
    expect(mailsFor()).toHaveLength(1);

    await adjust(productId, 10); // 12: above again
    await adjust(productId, -8); // 4: crossing again
    await eventually(() => expect(mailsFor()).toHaveLength(2));
  });
});
