import type { InvalidationBus, InvalidationTopic } from '../redis/invalidation-bus';
import { ExpiringMap } from './expiring-map';

/**
 * Rows this API process has read, trusted for `ttlMs` and dropped as soon as the
 * InvalidationBus reports a change to them. Nothing is served or kept while the bus cannot
 * promise to deliver every change (Redis subscription down).
 */
export class LocalCache<V> {
  private readonly entries: ExpiringMap<V>;

  constructor(
    private readonly bus: InvalidationBus,
    private readonly ttlMs: number,
    maxEntries: number,
    invalidate: (topic: InvalidationTopic, key: string, entries: ExpiringMap<V>) => void,
  ) {
    this.entries = new ExpiringMap<V>(maxEntries);
    bus.listen({
      invalidate: (topic, key) => invalidate(topic, key, this.entries),
      reset: () => this.entries.clear(),
    });
  }

  get(key: string): V | undefined {
    if (this.ttlMs === 0 || !this.bus.reliable) return undefined;
    return this.entries.get(key);
  }

  /**
   * Reads with `read` and keeps the result, unless a change was announced during the read (the
   * row may predate a change that has just committed). `until` caps the entry's lifetime.
   */
  async load(
    key: string,
    read: () => Promise<V | null>,
    until: (value: V) => number = () => Infinity,
  ): Promise<V | null> {
    const stamp = this.bus.stamp;
    const value = await read();
    if (value !== null && this.ttlMs > 0 && this.bus.unchangedSince(stamp)) {
      this.entries.set(key, value, Math.min(Date.now() + this.ttlMs, until(value)));
    }
    return value;
  }
}
