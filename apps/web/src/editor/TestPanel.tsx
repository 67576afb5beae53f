import { type ApiEventNode, PARAMETER_TYPE_LABELS, type Parameter } from '@switchyard/workflow';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { useTRPC, useTRPCClient } from '../api/trpc.ts';
import { Alert, Badge, JsonBlock } from '../components/ui.tsx';
import { formatDuration } from '../lib/format.ts';
import { useEditor, useEditorState } from './context.ts';

interface TestResult {
  httpStatus: number;
  body: unknown;
  durationMs: number;
  runId: string | null;
}

/** Builds the JSON body from the form: empty fields are left out, values get their parameter's type. */
function requestBody(parameters: Parameter[], values: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const p of parameters) {
    const key = p.key.trim();
    const raw = values[p.id] ?? '';
    if (!key || raw === '') continue;
    switch (p.type) {
      case 'number': {
        const n = Number(raw);
        body[key] = Number.isFinite(n) ? n : raw;
        break;
      }
      case 'boolean':
        body[key] = raw === 'true';
        break;
      case 'date': {
        const d = new Date(raw);
        body[key] = Number.isNaN(d.getTime()) ? raw : d.toISOString();
        break;
      }
      default:
        body[key] = raw;
    }
  }
  return body;
}

export function TestPanel({ workflowId, flush }: { workflowId: string; flush: () => Promise<boolean> }) {
  const editor = useEditor();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const name = useEditorState((s) => s.workflowName);
  const readOnly = useEditorState((s) => s.readOnly);
  const parameters = useEditorState(
    (s) => s.nodes.find((n): n is ApiEventNode => n.type === 'apiEvent')?.data.parameters,
  ) ?? [];
  const errorCount = useEditorState((s) => editor.diagnostics(s).errorCount);
  const [values, setValues] = useState<Record<string, string>>({});
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<TestResult | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const body = requestBody(parameters, values);
  const url = `/version-test/api/1.1/wf/${name}`;

  const run = async () => {
    setRunning(true);
    setFailure(null);
    setResult(null);
    try {
      if (!readOnly && !(await flush())) {
        setFailure('The workflow could not be saved, so the draft endpoint would run an older version.');
        return;
      }
      const started = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'include',
      });
      const durationMs = performance.now() - started;
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: show the text
      }
      const bodyRunId =
        parsed && typeof parsed === 'object' && typeof (parsed as { runId?: unknown }).runId === 'string'
          ? (parsed as { runId: string }).runId
          : null;
      let runId = response.headers.get('x-switchyard-run-id') ?? bodyRunId;
      if (!runId) {
        try {
          const latest = await client.run.list.query({ workflowId, limit: 1 });
          runId = latest.items[0]?.environment === 'draft' ? latest.items[0].id : null;
        } catch {
          runId = null;
        }
      }
      setResult({ httpStatus: response.status, body: parsed, durationMs, runId });
      void queryClient.invalidateQueries({ queryKey: trpc.run.pathKey() });
    } catch (error) {
      setFailure(error instanceof Error ? error.message : 'The request failed');
    } finally {
      setRunning(false);
    }
  };

  return (
    <div className="inspector test-panel" data-no-graph-undo>
      <div className="inspector-header">
        <div className="inspector-kind">Test</div>
        <h2>Run the draft</h2>
        <p className="muted small">
          Saves, then calls <code>POST {url}</code> with these parameters.
        </p>
      </div>
      <form
        className="inspector-section"
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        {parameters.length === 0 && <p className="muted small">This workflow has no parameters.</p>}
        {parameters.map((p) => {
          const id = `test-${p.id}`;
          const key = p.key.trim();
          const label = (
            <label className="field-label" htmlFor={id}>
              {key || '(parameter without a key)'}{' '}
              <span className="field-label-note">
                {PARAMETER_TYPE_LABELS[p.type]}
                {p.optional ? ', optional' : ''}
              </span>
            </label>
          );
          const value = values[p.id] ?? '';
          const set = (v: string) => setValues({ ...values, [p.id]: v });
          return (
            <div className="field" key={p.id}>
              {label}
              {p.type === 'boolean' ? (
                <select id={id} value={value} onChange={(e) => set(e.target.value)} disabled={!key}>
                  <option value="">(leave out)</option>
                  <option value="true">Yes</option>
                  <option value="false">No</option>
                </select>
              ) : (
                <input
                  id={id}
                  type={p.type === 'number' ? 'number' : p.type === 'date' ? 'datetime-local' : 'text'}
                  step={p.type === 'number' ? 'any' : undefined}
                  value={value}
                  disabled={!key}
                  onChange={(e) => set(e.target.value)}
                />
              )}
            </div>
          );
        })}
        <div className="section-title">Request body</div>
        <JsonBlock value={body} />
        {errorCount > 0 && (
          <p className="note note-warning">The workflow has errors; the draft endpoint will refuse to run it until they are fixed.</p>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={running}>
          {running ? 'Running…' : 'Run draft'}
        </button>
      </form>
      {failure && (
        <div className="inspector-section">
          <Alert>{failure}</Alert>
        </div>
      )}
      {result && (
        <section className="inspector-section" aria-label="Test result">
          <div className="test-result-header">
            <Badge tone={result.httpStatus < 400 ? 'success' : 'danger'}>HTTP {result.httpStatus}</Badge>
            <span className="muted small mono">{formatDuration(result.durationMs)}</span>
            {result.runId && (
              <Link to={`/runs/${result.runId}`} className="test-run-link">
                View run →
              </Link>
            )}
          </div>
          <JsonBlock value={result.body} />
        </section>
      )}
    </div>
  );
}
