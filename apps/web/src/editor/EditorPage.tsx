import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type EndpointSettings, OPEN_ENDPOINT, endpointSettings, isOpenToAnyone } from '@switchyard/workflow';
import { ReactFlowProvider } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { WorkflowDetail } from '../api/types.ts';
import { createKeepaliveClient, errorCode, errorMessage, isTransientError, useTRPC, useTRPCClient } from '../api/trpc.ts';
import { canEdit, useCurrentUser } from '../auth.tsx';
import { toast } from '../components/toast.tsx';
import { Badge, CopyButton, EmptyState, ErrorState, LoadingBlock } from '../components/ui.tsx';
import { plural } from '../lib/format.ts';
import { useDocumentTitle } from '../lib/useDocumentTitle.ts';
import { usePublicUrl } from '../lib/usePublicUrl.ts';
import { DeployDialog } from '../pages/releases/DeployDialog.tsx';
import { LiveBadge } from '../pages/releases/LiveBadge.tsx';
import { Autosaver, pendingSave } from './autosave.ts';
import { Canvas } from './Canvas.tsx';
import { CatalogSync } from './catalog.ts';
import { EditorContext, useEditor, useEditorState } from './context.ts';
import { Inspector } from './Inspector.tsx';
import { InstanceZoneSync } from './instanceZone.ts';
import { EditorModel, saveStatus, saveStatusText } from './model.ts';
import { Palette } from './Palette.tsx';
import { TestPanel, TestRunTracker } from './TestPanel.tsx';
import './editor.css';

const SIDE_TABS = [
  { id: 'properties', label: 'Properties' },
  { id: 'test', label: 'Test' },
] as const;

/** For the last save as the tab closes or reloads. */
const exitClient = createKeepaliveClient();

export function EditorPage() {
  const { id = '' } = useParams();
  return <EditorLoader key={id} id={id} />;
}

function EditorLoader({ id }: { id: string }) {
  const trpc = useTRPC();
  // A save from the previous visit may still be on its way: load after it, or we would show old data.
  const [ready, setReady] = useState(() => pendingSave(id) === undefined);
  useEffect(() => {
    const pending = pendingSave(id);
    if (pending) void pending.finally(() => setReady(true));
  }, [id]);
  const workflow = useQuery(
    trpc.workflow.byId.queryOptions({ id }, { enabled: ready, gcTime: 0, staleTime: Infinity, refetchOnWindowFocus: false }),
  );

  if (!ready || workflow.isPending) {
    return (
      <div className="page">
        <LoadingBlock label="Loading workflow…" />
      </div>
    );
  }
  if (workflow.isError) {
    return (
      <div className="page">
        <Link to="/workflows" className="back-link">
          ← Workflows
        </Link>
        {errorCode(workflow.error) === 'NOT_FOUND' ? (
          <EmptyState
            title="Workflow not found"
            action={
              <Link to="/workflows" className="btn btn-primary">
                Back to workflows
              </Link>
            }
          >
            It may have been deleted or renamed.
          </EmptyState>
        ) : (
          <ErrorState title="Could not load this workflow" error={workflow.error} onRetry={() => void workflow.refetch()} />
        )}
      </div>
    );
  }
  return <Editor workflow={workflow.data} />;
}

function Editor({ workflow }: { workflow: WorkflowDetail }) {
  const user = useCurrentUser();
  const readOnly = !canEdit(user);
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [editor] = useState(
    () => new EditorModel({ id: workflow.id, name: workflow.name, graph: workflow.graph, diagnostics: workflow.diagnostics, readOnly }),
  );
  // Set when another tab or person saved this workflow after we loaded it: our saves are refused.
  const [conflict, setConflict] = useState<string | null>(null);
  const [autosaver] = useState(() => {
    // The revision this editor's content is based on; the server refuses a save based on an older
    // one (another tab saved in between) instead of silently overwriting it. Saves run one at a time.
    let revision = workflow.revision;
    return new Autosaver(workflow.id, editor, {
      save: async (graph) => {
        const result = await client.workflow.save
          .mutate({ id: workflow.id, graph, baseRevision: revision })
          .catch((error: unknown) => {
            if (errorCode(error) === 'CONFLICT') setConflict(errorMessage(error));
            throw error;
          });
        revision = result.revision;
        void queryClient.invalidateQueries({ queryKey: trpc.workflow.list.queryKey() });
        return result;
      },
      describeError: errorMessage,
      isTransient: isTransientError,
      saveOnExit: (graph) => {
        exitClient.workflow.save.mutate({ id: workflow.id, graph, baseRevision: revision }).catch(() => undefined);
      },
      onLostChanges: (message) => toast.error(`Changes to ${workflow.name} were not saved: ${message}`),
    });
  });
  const [tab, setTab] = useState<(typeof SIDE_TABS)[number]['id']>('properties');
  useDocumentTitle(workflow.name);

  useEffect(() => editor.setWorkflowName(workflow.name), [editor, workflow.name]);

  useEffect(() => {
    autosaver.start();
    return () => autosaver.dispose();
  }, [autosaver]);

  // Warn before the tab closes with changes the server does not have yet; if it closes anyway, send
  // them in a request that outlives the page.
  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      const state = editor.state;
      if (state.revision !== state.savedRevision || state.saving) {
        event.preventDefault();
        event.returnValue = '';
      }
    };
    const onPageHide = () => autosaver.exit();
    window.addEventListener('beforeunload', onBeforeUnload);
    window.addEventListener('pagehide', onPageHide);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      window.removeEventListener('pagehide', onPageHide);
    };
  }, [editor, autosaver]);

  // Deploy saves first, then shows what changes against the live release before deploying this workflow.
  const [deploying, setDeploying] = useState(false);
  const onDeploy = async () => {
    if (!(await autosaver.flush())) {
      toast.error(`Not deployed: saving failed (${editor.state.saveError ?? 'unknown error'})`);
      return;
    }
    setDeploying(true);
  };

  const onSave = async () => {
    const saved = await autosaver.flush();
    if (!saved && !readOnly) toast.error(`Save failed: ${editor.state.saveError ?? 'unknown error'}`);
  };

  // Keyboard: save, undo, redo.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
      const key = event.key.toLowerCase();
      if (key === 's') {
        event.preventDefault();
        void autosaver.flush();
        return;
      }
      if (key !== 'z' && key !== 'y') return;
      const target = event.target as HTMLElement | null;
      if (target?.closest('[data-no-graph-undo], dialog')) return;
      event.preventDefault();
      if (key === 'y' || event.shiftKey) editor.redo();
      else editor.undo();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [autosaver, editor]);


  return (
    <EditorContext.Provider value={editor}>
      <ReactFlowProvider>
        <TestRunTracker />
        <CatalogSync />
        <InstanceZoneSync />
        <div className={`editor ${readOnly ? 'is-readonly' : ''}`}>
          <header className="editor-header">
            <div className="editor-title">
              <Link to="/workflows" className="crumb">
                Workflows
              </Link>
              <span className="crumb-sep" aria-hidden="true">
                /
              </span>
              <h1 className="mono">{workflow.name}</h1>
              {workflow.label && <span className="editor-label">{workflow.label}</span>}
              {readOnly && <Badge tone="warning">Read only</Badge>}
            </div>
            <div className="editor-actions">
              {!readOnly && <SaveStatusView />}
              <ProblemsButton />
              <LiveBadge live={workflow.live} name={workflow.name} />
              {!readOnly && (
                <>
                  <UndoRedo />
                  <button type="button" className="btn" onClick={() => void onSave()}>
                    Save
                  </button>
                  <button type="button" className="btn btn-primary" onClick={() => void onDeploy()} disabled={deploying}>
                    Deploy
                  </button>
                </>
              )}
            </div>
          </header>
          {conflict && (
            <div className="editor-banner alert" role="alert">
              <span>{conflict} Changes made here since then are not saved.</span>
              <button type="button" className="btn btn-sm" onClick={() => window.location.reload()}>
                Reload
              </button>
            </div>
          )}
          {deploying && <DeployDialog workflow={{ id: workflow.id, name: workflow.name }} onClose={() => setDeploying(false)} />}
          <Endpoints name={workflow.name} />
          <div className="editor-body">
            {!readOnly && <Palette />}
            <Canvas />
            <aside className="side-panel" aria-label="Side panel">
              <div className="tabs" role="tablist" aria-label="Side panel">
                {SIDE_TABS.map(({ id, label }) => (
                  <button
                    key={id}
                    type="button"
                    role="tab"
                    id={`tab-${id}`}
                    aria-selected={tab === id}
                    aria-controls={`panel-${id}`}
                    className="tab"
                    onClick={() => setTab(id)}
                  >
                    {label}
                  </button>
                ))}
              </div>
              <div className="tab-panel" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
                {tab === 'properties' ? <Inspector /> : <TestPanel flush={() => autosaver.flush()} />}
              </div>
            </aside>
          </div>
        </div>
      </ReactFlowProvider>
    </EditorContext.Provider>
  );
}

/**
 * The generated endpoints. A recurring workflow has no live endpoint (its schedule starts it once
 * an admin switches it on), but its draft can still be called to try it.
 */
function Endpoints({ name }: { name: string }) {
  const recurring = useEditorState((s) => s.nodes.some((n) => n.type === 'recurringEvent'));
  const event = useEditorState((s) => s.nodes.find((n) => n.type === 'apiEvent'));
  const endpoint = (event?.type === 'apiEvent' && endpointSettings(event)) || OPEN_ENDPOINT;
  const method = recurring ? 'POST' : endpoint.method;
  return (
    <div className="endpoint-bar" aria-label="Endpoints">
      <Endpoint label="Test endpoint" method={method} path={`/version-test/api/1.1/wf/${name}`} />
      {recurring ? (
        <div className="endpoint endpoint-none" title="A recurring job has no live endpoint: it runs on its schedule once an admin switches it on in Recurring jobs">
          <span className="endpoint-label">Live</span>
          <span className="endpoint-none-text">
            No endpoint: runs on its schedule (<Link to="/recurring">Recurring jobs</Link>)
          </span>
        </div>
      ) : (
        <Endpoint label="Live endpoint" method={method} path={`/api/1.1/wf/${name}`} />
      )}
      {!recurring && <AccessBadge endpoint={endpoint} />}
    </div>
  );
}

/** Who may call the endpoint, at a glance; anyone-can-call is a warning. */
function AccessBadge({ endpoint }: { endpoint: EndpointSettings }) {
  if (!endpoint.exposed) {
    return (
      <Badge tone="neutral" title="Only schedules and other workflows run it; calls from outside get 404">
        Not exposed
      </Badge>
    );
  }
  if (isOpenToAnyone(endpoint)) {
    return (
      <Badge tone="warning" title="Anyone who knows the URL can run it: require an admin token in the event's Endpoint settings">
        Anyone can call
      </Badge>
    );
  }
  return (
    <Badge tone="success" title={endpoint.auth === 'admin_token' ? 'Callers need an API token' : 'Calls must be signed'}>
      {endpoint.auth === 'admin_token' ? 'Token required' : 'Signed calls only'}
    </Badge>
  );
}

/** One generated endpoint: its path on screen, the full URL in the tooltip and on the clipboard. */
function Endpoint({ label, method, path }: { label: string; method: string; path: string }) {
  const url = `${usePublicUrl()}${path}`;
  return (
    <div className="endpoint">
      <span className="endpoint-label">{label}</span>
      <span className="method">{method}</span>
      <code className="endpoint-url" title={url}>
        {path}
      </code>
      <CopyButton text={url} what={`${label.toLowerCase()} URL`} />
    </div>
  );
}

function SaveStatusView() {
  const status = useEditorState((s) => saveStatus(s).kind);
  const message = useEditorState((s) => s.saveError);
  const text = saveStatusText(status === 'failed' ? { kind: 'failed', message: message ?? '' } : { kind: status });
  return (
    <span className={`save-status save-${status}`} data-testid="save-status" role={status === 'failed' ? 'alert' : 'status'} title={text}>
      <span className="save-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

function ProblemsButton() {
  const editor = useEditor();
  const errors = useEditorState((s) => editor.diagnostics(s).errorCount);
  const warnings = useEditorState((s) => editor.diagnostics(s).warningCount);
  if (errors === 0 && warnings === 0) return null;
  const parts = [errors > 0 && plural(errors, 'error'), warnings > 0 && plural(warnings, 'warning')].filter(Boolean);
  return (
    <button
      type="button"
      className={`problems-button ${errors > 0 ? 'has-errors' : 'has-warnings'}`}
      onClick={() => editor.select([])}
      title="Show all problems"
    >
      {parts.join(', ')}
    </button>
  );
}

function UndoRedo() {
  const editor = useEditor();
  const canUndo = useEditorState((s) => s.past.length > 0);
  const canRedo = useEditorState((s) => s.future.length > 0);
  return (
    <div className="button-group">
      <button type="button" className="btn btn-icon" onClick={() => editor.undo()} disabled={!canUndo} aria-label="Undo" title="Undo (Ctrl+Z)">
        <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
          <path d="M5 3 2 6l3 3M2.5 6H10a4 4 0 0 1 0 8H7" stroke="currentColor" strokeWidth="1.6" fill="none" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </button>
      <button type="button" className="btn btn-icon" onClick={() => editor.redo()} disabled={!canRedo} aria-label="Redo" title="Redo (Ctrl+Shift+Z)">
        <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
          <path d="m11 3 3 3-3 3m2.5-3H6a4 4 0 0 0 0 8h3" stroke="currentColor" strokeWidth="1.6" fill="none" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </button>
    </div>
  );
}
