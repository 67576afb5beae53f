import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { errorCode, useTRPC } from '../api/trpc.ts';
import { Badge, EmptyState, EnvBadge, ErrorState, JsonBlock, LoadingBlock, RelativeTime, StatusBadge } from '../components/ui.tsx';
import { formatAbsolute, formatDuration } from '../lib/format.ts';
import { useDocumentTitle } from '../lib/useDocumentTitle.ts';

export function RunDetailPage() {
  const { id = '' } = useParams();
  const trpc = useTRPC();
  const run = useQuery(
    trpc.run.byId.queryOptions(
      { id },
      { refetchInterval: (query) => (query.state.data?.status === 'running' ? 1_000 : false) },
    ),
  );

  useDocumentTitle(run.data ? `Run of ${run.data.workflowName}` : 'Run');

  const back = (
    <Link to="/runs" className="back-link">
      ← All runs
    </Link>
  );

  if (run.isPending) {
    return (
      <div className="page">
        {back}
        <LoadingBlock label="Loading run…" />
      </div>
    );
  }
  if (run.isError) {
    return (
      <div className="page">
        {back}
        {errorCode(run.error) === 'NOT_FOUND' ? (
          <EmptyState title="Run not found">This run does not exist, or it has been deleted.</EmptyState>
        ) : (
          <ErrorState title="Could not load this run" error={run.error} onRetry={() => void run.refetch()} />
        )}
      </div>
    );
  }

  const r = run.data;
  return (
    <div className="page page-narrow">
      {back}
      <div className="page-header">
        <div>
          <h1 className="run-title">
            <span className="mono">{r.workflowName}</span>
            <StatusBadge status={r.status} />
          </h1>
          <p className="page-subtitle mono">Run {r.id}</p>
        </div>
        <Link to={`/workflows/${r.workflowId}`} className="btn">
          Open workflow
        </Link>
      </div>

      <section className="card run-summary" aria-label="Run summary">
        <dl className="facts">
          <Fact term="Environment">
            <EnvBadge environment={r.environment} releaseNumber={r.releaseNumber} />
          </Fact>
          <Fact term="Started">
            <RelativeTime date={r.startedAt} /> <span className="muted small">· {formatAbsolute(r.startedAt)}</span>
          </Fact>
          <Fact term="Duration">
            <span className="mono">{formatDuration(r.durationMs)}</span>
          </Fact>
          <Fact term="Steps">{r.steps.length}</Fact>
        </dl>
        {r.error && (
          <div className="run-error" role="alert">
            <strong>Error</strong>
            <span>{r.error}</span>
          </div>
        )}
        <div className="io-grid">
          <div>
            <h2 className="section-title">Input</h2>
            <JsonBlock value={r.input} />
          </div>
          <div>
            <h2 className="section-title">Output</h2>
            <JsonBlock value={r.output} />
          </div>
        </div>
      </section>

      <h2 className="section-heading">Steps</h2>
      {r.steps.length === 0 ? (
        <EmptyState title={r.status === 'running' ? 'Waiting for the first step…' : 'No steps ran'}>
          {r.status === 'running' ? null : 'The run ended before any action ran.'}
        </EmptyState>
      ) : (
        <ol className="timeline">
          {r.steps.map((step) => (
            <li key={step.position} className={`timeline-item step-${step.status}`}>
              <span className="timeline-marker" aria-hidden="true" />
              <div className="card step-card">
                <div className="step-header">
                  <span className="step-position">{step.position + 1}</span>
                  <h3 className="step-label">{step.label}</h3>
                  <Badge>{step.type}</Badge>
                  <StatusBadge status={step.status} />
                  <span className="step-meta mono" title={formatAbsolute(step.startedAt)}>
                    {formatDuration(step.durationMs)}
                  </span>
                </div>
                {step.error && (
                  <div className="step-error" role="alert">
                    {step.error}
                  </div>
                )}
                {step.logs.length > 0 && (
                  <div className="step-logs">
                    <div className="section-title">Logs</div>
                    <pre className="logs">{step.logs.join('\n')}</pre>
                  </div>
                )}
                <details className="step-json">
                  <summary>Input</summary>
                  <JsonBlock value={step.input} />
                </details>
                <details className="step-json">
                  <summary>Output</summary>
                  <JsonBlock value={step.output} />
                </details>
              </div>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
