import { createHash } from 'node:crypto';
import { DomainError } from '../../src/common/errors/domain-error';
import { claimedSaleStatement, hashRequest } from '../../src/modules/sales/idempotency';

const claim = {
  userId: '7f1c0a4e-1d2b-4c3d-8e9f-0a1b2c3d4e5f',
  key: 'till-7-000123',
  requestHash: hashRequest({ storeId: 's', items: [{ productId: 'p', quantity: 1 }] }),
  saleId: '0b5e8a3c-2f1d-4e6a-9b7c-8d9e0f1a2b3c',
};

describe('idempotency', () => {
  it('hashes the JSON text with sorted keys and no undefined members, as stored keys were', () => {
    // Keys already stored were hashed from this text: a different text would turn every
    // retry across a deploy into a 422.
    const body = {
      storeId: 'b7c1',
      items: [
        { quantity: 2, productId: 'p1' },
        { productId: 'p"2', quantity: 1, discount: undefined },
      ],
      payments: [{ method: 'cash', amount: 23200 }],
      customerPhone: undefined,
    };
    const text =
      '{"items":[{"productId":"p1","quantity":2},{"productId":"p\\"2","quantity":1}],' +
      '"payments":[{"amount":23200,"method":"cash"}],"storeId":"b7c1"}';
    expect(hashRequest(body)).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('hashes the body whatever its key order', () => {
    expect(hashRequest({ a: 1, b: [{ c: 2, d: 3 }] })).toBe(
      hashRequest({ b: [{ d: 3, c: 2 }], a: 1 }),
    );
    expect(hashRequest({ a: 1 })).not.toBe(hashRequest({ a: 2 }));
  });

  describe('the sale already claimed under a key', () => {
    const read = (rows: Record<string, unknown>[]) => claimedSaleStatement(claim).read(rows);

    it('is replayed for the same body', () => {
      expect(read([{ request_hash: claim.requestHash, sale_id: 'earlier-sale' }])).toBe(
        'earlier-sale',
      );
    });

    it('is refused for another body (422 IDEMPOTENCY_KEY_REUSED)', () => {
      expect(() => read([{ request_hash: 'other', sale_id: 'earlier-sale' }])).toThrow(
        expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED' }),
      );
    });

    it('answers 409 IDEMPOTENCY_IN_PROGRESS, not a 500, when the cleanup removed the key meanwhile', () => {
      let thrown: unknown;
      try {
        read([]);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DomainError);
      expect(thrown).toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS' });
    });
  });
});
