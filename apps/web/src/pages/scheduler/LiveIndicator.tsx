import { formatShortDateTime } from '../../lib/format.ts';

export type LiveState = 'live' | 'paused' | 'error';

/**
 * The runs console's live indicator (same look and test id) for pages that re-read themselves
 * every few seconds while the tab is visible. `liveTitle` says what is re-read and how often.
 */
export function LiveIndicator({ state, updatedAt, liveTitle }: { state: LiveState; updatedAt: number; liveTitle: string }) {
  const text = {
    live: { label: 'Live', title: liveTitle },
    paused: { label: 'Updates paused', title: 'Updates pause while this tab is hidden' },
    error: { label: 'Reconnecting…', title: 'The last update failed; showing what was loaded before' },
  }[state];
  const updated = updatedAt ? ` · updated ${formatShortDateTime(new Date(updatedAt), updatedAt)}` : '';
  return (
    <span className={`live-indicator live-${state}`} title={`${text.title}${updated}`} data-testid="live-indicator">
      <span className="live-dot" aria-hidden="true" />
      {text.label}
    </span>
  );
}
