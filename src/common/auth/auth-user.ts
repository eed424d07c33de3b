export const ROLES = ['admin', 'manager', 'cashier'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller, as the auth guard puts it on the request. */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  /** Stores the user works at. Admins see every store whatever this holds. */
  storeIds: string[];
  /** Sales commission in percent, as of this request (read with the session). */
  commissionRate: number;
  sessionId: string;
}

/** `'all'` for admins, otherwise the ids of the stores the user may see. */
export function visibleStoreIds(user: AuthUser): string[] | 'all' {
  return user.role === 'admin' ? 'all' : user.storeIds;
}

export function canSeeStore(user: AuthUser, storeId: string): boolean {
  return user.role === 'admin' || user.storeIds.includes(storeId);
}
