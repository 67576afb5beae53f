import { Badge } from '../../components/ui.tsx';
import { type LiveState, liveStateBadge } from '../../lib/releases.ts';

/** A workflow's live state: "Live · #4", "Changed since deploy" or "Never deployed", with why in its tooltip. */
export function LiveBadge({ live, name }: { live: LiveState; name: string }) {
  const badge = liveStateBadge(live, name);
  return (
    <Badge tone={badge.tone} title={badge.title}>
      {badge.text}
    </Badge>
  );
}
