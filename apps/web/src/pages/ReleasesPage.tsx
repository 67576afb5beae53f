import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { useTRPC } from '../api/trpc.ts';
import { canEdit, useCurrentUser } from '../auth.tsx';
import { Badge, EmptyState, ErrorState, LoadingBlock, RelativeTime } from '../components/ui.tsx';
import { type ReleaseRow, changesSummary, kindWords } from '../lib/releases.ts';
import { useDocumentTitle } from '../lib/useDocumentTitle.ts';
import { DeployDialog, RestoreDialog } from './releases/DeployDialog.tsx';
import './releases/releases.css';

const PAGE = 50;

/**
 * Releases, newest first: every one is kept with who made it, when, how (a deploy of all or some
 * workflows, a restore, a take-off), its note and which workflows it changed. Builders restore an
 * earlier one (as a new release) after seeing what would change.
 */
export function ReleasesPage() {
  const trpc = useTRPC();
  const user = useCurrentUser();
  const editable = canEdit(user);
  useDocumentTitle('Releases');
  const [restoring, setRestoring] = useState<number | null>(null);
  const [deployingAll, setDeployingAll] = useState(false);
  const releases = useInfiniteQuery(
    trpc.release.list.infiniteQueryOptions(
      { limit: PAGE },
      { getNextPageParam: (page) => page.nextBefore ?? undefined },
    ),
  );
  const rows = releases.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="page page-wide">
      <div className="page-header">
        <div>
          <h1>Releases</h1>
          <p className="page-subtitle">Each deploy makes a numbered release of every live workflow. The newest one is live; any earlier one can be restored.</p>
        </div>
        {editable && (
          <button type="button" className="btn btn-primary" onClick={() => setDeployingAll(true)}>
            Deploy all…
          </button>
        )}
      </div>

      {releases.isPending ? (
        <LoadingBlock label="Loading releases…" />
      ) : releases.isError ? (
        <ErrorState title="Could not load releases" error={releases.error} onRetry={() => void releases.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState
          title="Nothing deployed yet"
          action={
            <Link to="/workflows" className="btn">
              Go to workflows
            </Link>
          }
        >
          A release is made when a builder deploys one workflow or all of them from the editor or the workflow list. Until then every live endpoint
          answers 404.
        </EmptyState>
      ) : (
        <>
          <div className="card table-card releases-card">
            <table className="table releases-table">
              <thead>
                <tr>
                  <th scope="col">Release</th>
                  <th scope="col">Made</th>
                  <th scope="col" className="col-by">By</th>
                  <th scope="col">How</th>
                  <th scope="col">Workflows changed</th>
                  <th scope="col" className="col-note">Note</th>
                  <th scope="col" className="col-actions">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((release) => (
                  <ReleaseRowView key={release.number} release={release} editable={editable} onRestore={() => setRestoring(release.number)} />
                ))}
              </tbody>
            </table>
          </div>
          {releases.hasNextPage && (
            <div className="load-more">
              <button type="button" className="btn" onClick={() => void releases.fetchNextPage()} disabled={releases.isFetchingNextPage}>
                {releases.isFetchingNextPage ? 'Loading…' : 'Show older releases'}
              </button>
            </div>
          )}
        </>
      )}
      {restoring !== null && <RestoreDialog number={restoring} onClose={() => setRestoring(null)} />}
      {deployingAll && <DeployDialog onClose={() => setDeployingAll(false)} />}
    </div>
  );
}

function ReleaseRowView({ release, editable, onRestore }: { release: ReleaseRow; editable: boolean; onRestore: () => void }) {
  const summary = changesSummary(release.changes);
  const names = release.changes ? [...release.changes.added, ...release.changes.changed, ...release.changes.removed].map((w) => w.name) : [];
  return (
    <tr data-release={release.number}>
      <td>
        <span className="mono strong">#{release.number}</span>{' '}
        {release.live && (
          <Badge tone="success" title="The newest release: what the live endpoints run">
            Live
          </Badge>
        )}
        <div className="muted small">{release.workflowCount === 1 ? '1 workflow' : `${release.workflowCount} workflows`}</div>
      </td>
      <td className="muted nowrap">
        <RelativeTime date={release.createdAt} />
      </td>
      <td className="muted col-by">{release.createdBy}</td>
      <td>{kindWords(release)}</td>
      <td className="release-changes">
        {summary ?? <span className="muted">Not recorded</span>}
        {names.length > 0 && (
          <div className="release-changes-names" title={names.join(', ')}>
            {names.slice(0, 5).join(', ')}
            {names.length > 5 ? ` and ${names.length - 5} more` : ''}
          </div>
        )}
      </td>
      <td className="muted release-note col-note">{release.note ?? '—'}</td>
      <td className="col-actions">
        {editable && !release.live && (
          <button type="button" className="btn btn-sm" onClick={onRestore}>
            Restore…<span className="visually-hidden"> release #{release.number}</span>
          </button>
        )}
      </td>
    </tr>
  );
}
