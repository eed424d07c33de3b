import { Injectable } from '@nestjs/common';
import type { RenderedEmail } from './low-stock-email';
import type { OutboxMessage, OutboxType } from './outbox-message';

/** An email ready to send: rendered, with its recipients. */
export interface ComposedEmail extends RenderedEmail {
  to: string[];
}

/** A message that will never turn into an email: the row is settled with this note, not retried. */
export class NothingToSend {
  constructor(readonly note: string) {}
}

/** The payload of the messages of type T. */
export type PayloadOf<T extends OutboxType, M = OutboxMessage> = M extends {
  type: infer U;
  payload: infer P;
}
  ? T extends U
    ? P
    : never
  : never;

export type OutboxComposer<T extends OutboxType = OutboxType> = (
  payload: PayloadOf<T>,
  /** When the message was written (the outbox row's creation time). */
  createdAt: Date,
) => Promise<ComposedEmail | NothingToSend>;

/**
 * Email composers of other modules, by message type. A feature module that writes its own
 * outbox messages (transfers) registers how to turn them into emails at startup
 * (`onModuleInit`), so notifications never imports that module and there is no module cycle;
 * the feature module only depends on notifications. A process that delivers those messages
 * (the API in embedded mode, the worker) must load the registering module.
 */
@Injectable()
export class OutboxComposers {
  private readonly composers = new Map<string, OutboxComposer>();

  register<T extends OutboxType>(type: T, composer: OutboxComposer<T>): void {
    if (this.composers.has(type))
      throw new Error(`An email composer for '${type}' is already registered`);
    this.composers.set(type, composer as unknown as OutboxComposer);
  }

  /** The composer of this message type, or undefined when no loaded module registered one. */
  get(type: string): OutboxComposer | undefined {
    return this.composers.get(type);
  }
}

/** Trimmed, without duplicates (case-insensitive), in first-seen order. */
export function uniqueAddresses(addresses: string[]): string[] {
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const raw of addresses) {
    const address = raw.trim();
    const key = address.toLowerCase();
    if (!address || seen.has(key)) continue;
    seen.add(key);
    unique.push(address);
  }
  return unique;
}
