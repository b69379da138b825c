import type { Role } from '../db/schema/enums.ts';

/** Who is calling: a signed-in user or an API key, always within exactly one organization. */
export interface Viewer {
  organizationId: string;
  role: Role;
  userId: string | null;
  apiKeyId: string | null;
  /** For an API key: the user who created it, whose current role caps the key's. */
  keyCreatorUserId?: string | null;
  /** When the credential stops being valid, if it expires; long-lived connections close then. */
  expiresAt?: Date | null;
}

const ROLE_RANK: Record<Role, number> = { viewer: 1, analyst: 2, admin: 3, owner: 4 };

export function hasRole(viewer: Pick<Viewer, 'role'>, required: Role): boolean {
  return ROLE_RANK[viewer.role] >= ROLE_RANK[required];
}

export function roleRank(role: Role): number {
  return ROLE_RANK[role];
}
