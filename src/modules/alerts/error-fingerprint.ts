import { createHash } from 'node:crypto';

/** One alert per fingerprint per window. */
export const ALERT_WINDOW_MS = 10 * 60 * 1000;

export interface ErrorSummary {
  fingerprint: string;
  name: string;
  message: string;
  frame: string | null;
}

/** The first `at …` line of a stack, trimmed. */
export function firstFrame(stack: string | undefined): string | null {
  const line = stack?.split('\n').find((candidate) => /^\s+at\s/.test(candidate));
  return line ? line.trim() : null;
}

/**
 * Ids and numbers vary between occurrences of one error ("sale 3f1c… not found", "after 5012 ms");
 * they are left out of the fingerprint so that those are one error, not one alert each.
 */
export function normalizeMessage(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/\d+/g, '<n>');
}

/** What identifies an error for throttling: its kind, message (ids and numbers aside) and origin. */
export function summarizeError(error: unknown): ErrorSummary {
  const isError = error instanceof Error;
  const name = isError ? error.name : typeof error;
  const raw = isError ? error.message : safeString(error);
  const message = raw.length > 1000 ? `${raw.slice(0, 1000)}…` : raw;
  const frame = isError ? firstFrame(error.stack) : null;
  const fingerprint = createHash('sha256')
    .update(`${name}\n${normalizeMessage(message)}\n${frame ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  return { fingerprint, name, message, frame };
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Send an alert now (with how many occurrences it stands for), or stay quiet. */
export type ThrottleDecision = { send: true; count: number; firstSeen: Date } | { send: false };

interface Entry {
  /** No other alert for this fingerprint before this time (ms). */
  quietUntil: number;
  /** Occurrences not yet reported, and when the first of them happened. */
  pending: number;
  firstSeen: number;
}

const MAX_ENTRIES = 1000;

/**
 * The in-process throttle (used while Redis is not ready; the Redis one follows the same rules):
 * the first occurrence of a fingerprint is sent; later ones within the window only count; the
 * first one after the window is sent with that count.
 */
export class LocalThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly windowMs = ALERT_WINDOW_MS) {}

  hit(fingerprint: string, now: number): ThrottleDecision {
    const entry = this.entries.get(fingerprint) ?? { quietUntil: 0, pending: 0, firstSeen: now };
    if (entry.pending === 0) entry.firstSeen = now;
    entry.pending += 1;
    if (now < entry.quietUntil) {
      this.entries.set(fingerprint, entry);
      return { send: false };
    }
    const decision: ThrottleDecision = {
      send: true,
      count: entry.pending,
      firstSeen: new Date(entry.firstSeen),
    };
    this.entries.delete(fingerprint); // re-inserted last: the map stays in age order
    this.entries.set(fingerprint, { quietUntil: now + this.windowMs, pending: 0, firstSeen: now });
    this.prune();
    return decision;
  }

  /** A flood of distinct errors must not grow the map without bound: the oldest go first. */
  private prune(): void {
    for (const fingerprint of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES) return;
      this.entries.delete(fingerprint);
    }
  }
}
