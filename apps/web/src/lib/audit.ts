import type { RouterInputs, RouterOutputs } from '../api/types.ts';

export type AuditEvent = RouterOutputs['audit']['list']['events'][number];
export type AuditAction = NonNullable<RouterInputs['audit']['list']['actions']>[number];
export type ActorFilter = NonNullable<RouterInputs['audit']['list']['actor']>;

/**
 * Every action of the audit log in words. A Record over the server's own enum: an action added
 * there is a type error here until it has its words.
 */
export const ACTION_LABELS: Record<AuditAction, string> = {
  'auth.sign_in': 'Signed in',
  'auth.sign_in_failed': 'Sign-in refused',
  'user.created': 'Account created',
  'user.invited': 'Invited',
  'user.invitation_accepted': 'Invitation accepted',
  'user.role_changed': 'Role changed',
  'user.disabled': 'Account disabled',
  'user.enabled': 'Account enabled',
  'user.password_reset': 'Password reset',
  'user.unlocked': 'Sign-in delays cleared',
  'token.created': 'API token created',
  'token.revoked': 'API token revoked',
  'secret.created': 'Signing secret created',
  'secret.rotated': 'Signing secret rotated',
  'secret.signed_test': 'Test call signed',
  'secret.deleted': 'Signing secret deleted',
  'release.deployed': 'Deployed',
  'release.restored': 'Release restored',
  'release.taken_off': 'Taken off live',
  'workflow.deleted': 'Workflow deleted',
  'recurring.switched': 'Recurring job switched',
  'scheduler.paused': 'Scheduler paused',
  'scheduler.resumed': 'Scheduler resumed',
  'run.cancelled': 'Run cancelled',
  'runs.cancelled_all': 'All pending runs cancelled',
  'batch.cancelled': 'Batch cancelled',
  'settings.changed': 'Settings changed',
};

/** The actions in the filter, grouped as the page shows them. */
export const ACTION_GROUPS: { label: string; actions: AuditAction[] }[] = [
  { label: 'Sign-ins', actions: ['auth.sign_in', 'auth.sign_in_failed'] },
  {
    label: 'People',
    actions: ['user.created', 'user.invited', 'user.invitation_accepted', 'user.role_changed', 'user.disabled', 'user.enabled', 'user.password_reset', 'user.unlocked'],
  },
  { label: 'Tokens and secrets', actions: ['token.created', 'token.revoked', 'secret.created', 'secret.rotated', 'secret.signed_test', 'secret.deleted'] },
  { label: 'Deploys', actions: ['release.deployed', 'release.restored', 'release.taken_off', 'workflow.deleted'] },
  {
    label: 'Scheduled work',
    actions: ['recurring.switched', 'scheduler.paused', 'scheduler.resumed', 'run.cancelled', 'runs.cancelled_all', 'batch.cancelled'],
  },
  { label: 'Settings', actions: ['settings.changed'] },
];

export const actionLabel = (action: string): string => (Object.hasOwn(ACTION_LABELS, action) ? ACTION_LABELS[action as AuditAction] : action);

/** Who acted, in words: the email they had then, "Command line", "API caller", "Server", "Not signed in". */
export function actorLabel(actor: AuditEvent['actor']): string {
  switch (actor.kind) {
    case 'user':
      return actor.name ?? actor.id ?? 'Unknown user';
    case 'api':
      return actor.name ? `API token “${actor.name}”` : 'API caller';
    case 'cli':
      return 'Command line';
    case 'system':
      return 'Server';
    case 'anonymous':
      return 'Not signed in';
    default:
      return actor.kind;
  }
}

const ROLE_WORDS: Record<string, string> = { admin: 'Admin', builder: 'Builder', viewer: 'Viewer' };
const REASONS: Record<string, string> = {
  wrong_password: 'wrong password',
  unknown_email: 'no such account',
  account_disabled: 'account disabled',
  account_invited: 'invitation not accepted yet',
};

/** The event's details in a short sentence where the page knows them; the raw details otherwise. */
export function describeDetails(event: Pick<AuditEvent, 'action' | 'details'>): string {
  const d = event.details ?? {};
  const text = (key: string) => (typeof d[key] === 'string' || typeof d[key] === 'number' ? String(d[key]) : null);
  switch (event.action) {
    case 'user.role_changed':
      return `${ROLE_WORDS[text('from') ?? ''] ?? text('from')} → ${ROLE_WORDS[text('to') ?? ''] ?? text('to')}`;
    case 'user.invited':
    case 'user.created':
      return [text('role') && `as ${ROLE_WORDS[text('role')!] ?? text('role')}`, d.again === true && 'new link', text('via') === 'setup' && 'first admin']
        .filter(Boolean)
        .join(', ');
    case 'user.password_reset':
      return { set_by_admin: 'set by an admin', link_created: 'reset link made', link_used: 'reset link used' }[text('method') ?? ''] ?? '';
    case 'auth.sign_in':
      return text('ip') ? `from ${text('ip')}` : '';
    case 'auth.sign_in_failed':
      return [REASONS[text('reason') ?? ''] ?? text('reason'), text('ip') && `from ${text('ip')}`].filter(Boolean).join(', ');
    case 'recurring.switched':
      return `${d.enabled === true ? 'on' : 'off'} in ${text('environment')}`;
    case 'runs.cancelled_all':
      return `${text('cancelled') ?? 0} run${text('cancelled') === '1' ? '' : 's'}`;
    case 'settings.changed':
      return 'from' in d && 'to' in d ? `${JSON.stringify(d.from)} → ${JSON.stringify(d.to)}` : compact(d);
    case 'release.deployed':
    case 'release.restored':
    case 'release.taken_off': {
      const list = (key: string) => (Array.isArray(d[key]) ? (d[key] as unknown[]).map(String) : []);
      const parts = [
        text('restoredFrom') && `restored from #${text('restoredFrom')}`,
        list('added').length > 0 && `added ${list('added').join(', ')}`,
        list('changed').length > 0 && `changed ${list('changed').join(', ')}`,
        list('removed').length > 0 && `removed ${list('removed').join(', ')}`,
      ].filter(Boolean);
      return parts.length > 0 ? parts.join('; ') : 'no change';
    }
    case 'token.created':
      return 'allWorkflows' in d ? (d.allWorkflows === true ? 'may run every workflow' : 'may run listed workflows') : '';
    case 'user.disabled':
      return text('sessionsEnded') && text('sessionsEnded') !== '0' ? `${text('sessionsEnded')} session(s) ended` : '';
    default:
      return compact(d);
  }
}

function compact(details: Record<string, unknown>): string {
  const entries = Object.entries(details);
  return entries.length === 0 ? '' : entries.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
}

/** The start of a local calendar day ("2026-11-25" from a date input) as a Date, or undefined. */
export function dayStart(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(y, m - 1, d);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The end of a local day, exclusive: the start of the next one (the filter's "to" includes the day). */
export function dayEnd(value: string): Date | undefined {
  const start = dayStart(value);
  return start ? new Date(start.getFullYear(), start.getMonth(), start.getDate() + 1) : undefined;
}

/** The filter as the URL keeps it (?actor=user:<id>|cli|api|system|anonymous&action=a,b&from=YYYY-MM-DD&to=YYYY-MM-DD). */
export interface AuditFilters {
  actor: string;
  actions: AuditAction[];
  from: string;
  to: string;
}

export function filtersFromSearch(search: URLSearchParams): AuditFilters {
  const actions = (search.get('action') ?? '')
    .split(',')
    .filter((a): a is AuditAction => Object.hasOwn(ACTION_LABELS, a));
  return { actor: search.get('actor') ?? '', actions, from: search.get('from') ?? '', to: search.get('to') ?? '' };
}

export function searchFromFilters(filters: AuditFilters): URLSearchParams {
  const search = new URLSearchParams();
  if (filters.actor) search.set('actor', filters.actor);
  if (filters.actions.length > 0) search.set('action', filters.actions.join(','));
  if (filters.from) search.set('from', filters.from);
  if (filters.to) search.set('to', filters.to);
  return search;
}

/** The list's input from the filters (invalid parts are left out). */
export function listInput(filters: AuditFilters): Omit<RouterInputs['audit']['list'], 'cursor'> {
  const actor = parseActor(filters.actor);
  const from = dayStart(filters.from);
  const to = dayEnd(filters.to);
  return {
    ...(actor && { actor }),
    ...(filters.actions.length > 0 && { actions: filters.actions }),
    ...(from && { from }),
    ...(to && { to }),
  };
}

function parseActor(value: string): ActorFilter | undefined {
  if (value.startsWith('user:') && value.length > 5) return { kind: 'user', userId: value.slice(5) };
  if (value === 'cli' || value === 'api' || value === 'system' || value === 'anonymous') return { kind: value };
  return undefined;
}
