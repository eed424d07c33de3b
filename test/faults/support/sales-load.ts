import { randomUUID } from 'node:crypto';
import { sleep } from '../../support/eventually';
import { SaleAttempt, saleOver } from './world';

export type SaleItems = { productId: string; quantity: number }[];

/** One HTTP request of the load, with when it ran and what the test was doing then. */
export interface LoadAttempt extends SaleAttempt {
  till: number;
  idempotencyKey: string;
  items: SaleItems;
  /** `load.phase` when the request was sent. */
  phase: string;
  startedAt: number;
  endedAt: number;
}

export interface SalesLoadOptions {
  baseUrl: string;
  storeId: string;
  /** One concurrent till (client loop) per access token. */
  tokens: string[];
  /** What the till sells next; called once per sale (not again for a retry of it). */
  items: (till: number, phase: string) => SaleItems;
  /**
   * Whether to send the same Idempotency-Key and body again after this answer, as a till does
   * when it did not get a definitive one. Without it every answer ends the sale.
   */
  retry?: (attempt: SaleAttempt) => boolean;
  /** Pause between a till's requests (and retries). */
  pauseMs?: number;
  /** A sale still without a definitive answer after this long is given up. */
  retryForMs?: number;
}

/**
 * Several tills posting sales over real HTTP in a loop until `stop()`. The test moves `phase`
 * along (and `baseUrl`, when the API process is replaced) while it injects a fault; every
 * request is kept in `attempts`. `stop()` lets each till finish the sale in hand, retries included.
 */
export class SalesLoad {
  readonly attempts: LoadAttempt[] = [];
  phase = 'before';
  baseUrl: string;
  private running = false;
  private tills: Promise<void>[] = [];

  constructor(private readonly options: SalesLoadOptions) {
    this.baseUrl = options.baseUrl;
  }

  start(): void {
    this.running = true;
    this.tills = this.options.tokens.map((token, till) => this.run(till, token));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.tills);
  }

  /** Answers by HTTP status ("0" for a failed connection), plus error codes: `{ '201': 80, '503 SERVICE_UNAVAILABLE': 12 }`. */
  statuses(attempts: LoadAttempt[] = this.attempts): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const attempt of attempts) {
      const code = attempt.body?.code;
      const label = typeof code === 'string' ? `${attempt.status} ${code}` : String(attempt.status);
      counts[label] = (counts[label] ?? 0) + 1;
    }
    return counts;
  }

  private async run(till: number, token: string): Promise<void> {
    const { storeId, pauseMs = 0, retryForMs = 30_000 } = this.options;
    while (this.running) {
      const idempotencyKey = randomUUID();
      const items = this.options.items(till, this.phase);
      const giveUpAt = Date.now() + retryForMs;
      for (;;) {
        const phase = this.phase;
        const startedAt = Date.now();
        const attempt = await saleOver(this.baseUrl, token, storeId, items, idempotencyKey);
        this.attempts.push({
          ...attempt,
          till,
          idempotencyKey,
          items,
          phase,
          startedAt,
          endedAt: Date.now(),
        });
        if (!this.options.retry?.(attempt) || Date.now() > giveUpAt) break;
        await sleep(Math.max(pauseMs, 50));
      }
      if (pauseMs > 0) await sleep(pauseMs);
    }
  }
}
