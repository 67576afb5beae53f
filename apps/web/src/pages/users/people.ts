import type { RouterOutputs } from '../../api/types.ts';

export type UserRow = RouterOutputs['users']['list'][number];
export type Role = UserRow['role'];

export const ROLE_LABELS: Record<Role, string> = { admin: 'Admin', builder: 'Builder', viewer: 'Viewer' };

export const STATUS_TONES: Record<UserRow['status'], 'success' | 'warning' | 'neutral'> = {
  active: 'success',
  invited: 'warning',
  disabled: 'neutral',
};

/** "Active", "Invited", "Invited · link expired", "Disabled". */
export function statusLabel(user: Pick<UserRow, 'status' | 'pendingLink'>): string {
  if (user.status === 'active') return 'Active';
  if (user.status === 'disabled') return 'Disabled';
  return user.pendingLink ? 'Invited' : 'Invited · link expired';
}

/** The link to pass on: this page's origin and the path the server made. */
export const linkUrl = (path: string, origin: string = window.location.origin) => `${origin}${path}`;
