import { renderErrorAlertEmail } from '../../src/modules/alerts/error-alert-email';
import {
  ALERT_WINDOW_MS,
  firstFrame,
  LocalThrottle,
  normalizeMessage,
  summarizeError,
} from '../../src/modules/alerts/error-fingerprint';

function thrownAt(message: string): Error {
  return new Error(message); // one throw site: one first stack frame
}

describe('error fingerprints', () => {
  it('are equal for the same error from the same place, ids and numbers aside', () => {
    const a = summarizeError(
      thrownAt('sale 3f1c2a9e-1b2c-4d5e-8f90-123456789abc not found after 12 ms'),
    );
    const b = summarizeError(
      thrownAt('sale 0a1b2c3d-1b2c-4d5e-8f90-abcdefabcdef not found after 57 ms'),
    );
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.message).toContain('3f1c2a9e');
    expect(a.frame).toMatch(/^at thrownAt /);
  });

  it('differ by message, by kind and by place', () => {
    const base = summarizeError(thrownAt('boom'));
    expect(summarizeError(thrownAt('bang')).fingerprint).not.toBe(base.fingerprint);
    const typeError = new TypeError('boom');
    typeError.stack = thrownAt('boom').stack?.replace(/^Error/, 'TypeError');
    expect(summarizeError(typeError).fingerprint).not.toBe(base.fingerprint);
    expect(summarizeError(new Error('boom')).fingerprint).not.toBe(base.fingerprint);
  });

  it('handle things thrown that are not errors', () => {
    expect(summarizeError('plain string')).toMatchObject({ name: 'string', frame: null });
    expect(summarizeError({ code: 42 }).message).toBe('{"code":42}');
  });

  it('helpers: first frame and message normalization', () => {
    expect(firstFrame('Error: x\n    at one (a.js:1:1)\n    at two (b.js:2:2)')).toBe(
      'at one (a.js:1:1)',
    );
    expect(firstFrame(undefined)).toBeNull();
    expect(normalizeMessage('retry 3 of 8')).toBe('retry <n> of <n>');
  });
});

describe('LocalThrottle: one alert per fingerprint per 10 minutes', () => {
  const t0 = Date.UTC(2026, 10, 1, 8, 0, 0);
  const minutes = (n: number) => t0 + n * 60_000;

  it('sends the first, counts the rest, and sends again after the window with the count', () => {
    const throttle = new LocalThrottle();
    expect(throttle.hit('a', t0)).toEqual({ send: true, count: 1, firstSeen: new Date(t0) });
    expect(throttle.hit('a', minutes(1))).toEqual({ send: false });
    expect(throttle.hit('a', minutes(9))).toEqual({ send: false });
    expect(throttle.hit('b', minutes(9))).toMatchObject({ send: true, count: 1 });
    // After the window: this occurrence and the two held back, since the first held back.
    expect(throttle.hit('a', t0 + ALERT_WINDOW_MS)).toEqual({
      send: true,
      count: 3,
      firstSeen: new Date(minutes(1)),
    });
    expect(throttle.hit('a', t0 + ALERT_WINDOW_MS + 1)).toEqual({ send: false });
    expect(throttle.hit('a', minutes(30))).toMatchObject({ send: true, count: 2 });
  });

  it('stays bounded under a flood of distinct errors', () => {
    const throttle = new LocalThrottle();
    for (let index = 0; index < 5000; index++) throttle.hit(`e${index}`, t0);
    expect((throttle as unknown as { entries: Map<string, unknown> }).entries.size).toBe(1000);
  });
});

describe('the error alert email', () => {
  it('names the error, where, how often and how to find it in the logs', () => {
    const email = renderErrorAlertEmail(
      {
        fingerprint: '0123456789abcdef',
        message: 'relation "sales" does not exist <script>',
        count: 3,
        firstSeen: '2026-11-01T08:01:00.000Z',
        requestId: 'req-1',
        source: 'POST /api/v1/sales',
        frame: 'at SalesService.create (/app/dist/src/modules/sales/sales.service.js:10:5)',
        host: 'api-1',
      },
      new Date('2026-11-01T08:10:00.000Z'),
    );
    expect(email.subject).toBe('[POS error] relation "sales" does not exist <script>');
    expect(email.text).toContain('Where:             POST /api/v1/sales');
    expect(email.text).toContain('Request id:        req-1');
    expect(email.text).toContain('3 times since 2026-11-01T08:01:00.000Z');
    expect(email.html).toContain('&lt;script&gt;');
    expect(email.html).not.toContain('<script>');
  });
});
