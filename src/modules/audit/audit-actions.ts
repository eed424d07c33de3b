export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.locked_out',
  'auth.logout',
  'auth.refresh_reused',
  'auth.password_changed',
  'user.created',
  'user.updated',
  'store.created',
  'store.updated',
  'product.created',
  'product.updated',
  'inventory.adjusted',
  'inventory.reorder_level_changed',
  'sale.created',
  'sale.returned',
  'transfer.requested',
  'transfer.approved',
  'transfer.rejected',
  'transfer.cancelled',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What an entry's entityId names. */
export const AUDIT_ENTITY_TYPES = [
  'product',
  'sale',
  'session',
  'stock_movement',
  'store',
  'transfer',
  'user',
] as const;

export type AuditEntityType = (typeof AUDIT_ENTITY_TYPES)[number];

/** What a caller records; `occurredAt` and `id` are set by the database. */
export interface AuditEntryInput {
  action: AuditAction;
  userId?: string | null;
  username?: string | null;
  entityType?: AuditEntityType | null;
  entityId?: string | null;
  storeId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
}
