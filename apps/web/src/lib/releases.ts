import type { RouterOutputs } from '../api/types.ts';

/** Shapes of the releases API, derived from the server's router (never copied). */
export type ReleaseRow = RouterOutputs['release']['list']['items'][number];
export type ReleasePreview = RouterOutputs['release']['preview'];
export type PreviewWorkflow = ReleasePreview['workflows'][number];
export type LiveState = RouterOutputs['workflow']['list'][number]['live'];
export type ReleaseChanges = NonNullable<ReleaseRow['changes']>;

/** How a release was made, in words: "Deploy of all workflows", "Restore of #3". */
export function kindWords(release: Pick<ReleaseRow, 'kind' | 'restoredFrom' | 'changes'>): string {
  switch (release.kind) {
    case 'all':
      return 'Deploy of all workflows';
    case 'workflows': {
      const names = release.changes ? [...release.changes.added, ...release.changes.changed].map((w) => w.name) : [];
      return names.length === 1 ? `Deploy of ${names[0]}` : 'Deploy of chosen workflows';
    }
    case 'restore':
      return release.restoredFrom === null ? 'Restore' : `Restore of #${release.restoredFrom}`;
    case 'take_off':
      return 'Taken off live';
  }
}

/** The live state's badge: its word, tone and tooltip. */
export function liveStateBadge(live: LiveState, name: string): { text: string; tone: 'success' | 'warning' | 'neutral'; title: string } {
  switch (live.state) {
    case 'deployed':
      return { text: `Live · #${live.releaseNumber}`, tone: 'success', title: `Release #${live.releaseNumber} runs the saved version` };
    case 'changed':
      return {
        text: 'Changed since deploy',
        tone: 'warning',
        title:
          live.liveName !== null && live.liveName !== name
            ? `Live as "${live.liveName}" (release #${live.releaseNumber}); renamed since: deploy to move the live endpoint`
            : `Release #${live.releaseNumber} runs an earlier version: deploy to make the saved one live`,
      };
    case 'never':
      return { text: 'Never deployed', tone: 'neutral', title: 'Not in the live release: its live endpoint answers 404' };
  }
}

/** "2 added, 1 changed, 1 removed"; "No workflow changed"; null when it was not recorded. */
export function changesSummary(changes: ReleaseChanges | null): string | null {
  if (!changes) return null;
  const parts = [
    changes.added.length > 0 && `${changes.added.length} added`,
    changes.changed.length > 0 && `${changes.changed.length} changed`,
    changes.removed.length > 0 && `${changes.removed.length} removed`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'No workflow changed';
}

/** Lines for a workflow's diff, grouped as the dialog shows them. */
export function diffSections(diff: PreviewWorkflow['diff']): { title: string; lines: { change: 'added' | 'removed' | 'changed'; text: string }[] }[] {
  const sections = [
    { title: 'Steps', lines: diff.steps.map((s) => ({ change: s.change, text: s.details.length > 0 ? `${s.label}: ${s.details.join(', ')}` : s.label })) },
    { title: 'Parameters', lines: diff.parameters.map((p) => ({ change: p.change, text: p.details.length > 0 ? `${p.key}: ${p.details.join(', ')}` : p.key })) },
    { title: 'Event and endpoint', lines: diff.trigger.map((c) => ({ change: 'changed' as const, text: `${c.what}: ${c.before} → ${c.after}` })) },
    { title: 'Run settings', lines: diff.settings.map((c) => ({ change: 'changed' as const, text: `${c.what}: ${c.before} → ${c.after}` })) },
  ];
  return sections.filter((s) => s.lines.length > 0);
}
