import {
  NEW_ENDPOINT,
  type ActionNode,
  type ApiEventNode,
  type Diagnostic,
  type EventNode,
  type EventType,
  type ExpressionKind,
  GRAPH_SCHEMA_VERSION,
  type GraphEdge,
  type GraphNode,
  type NameTable,
  type ObjectField,
  type Parameter,
  type Position,
  type RecurrenceSpec,
  type RecurringEventNode,
  type WorkflowGraph,
  type WorkflowSettings,
  type WorkflowSummary,
  actionModule,
  bindGraph,
  compile,
  followChain,
  isEventNode,
  mapNodeExpressions,
  nameTable,
  toDisplayText,
  toStoredText,
} from '@switchyard/workflow';
import { type StoreApi, createStore } from 'zustand/vanilla';
import { newId } from '../lib/id.ts';
import { DEFAULT_CRON, DEFAULT_EVERY, defaultSchedule } from './schedule.ts';
import type { ScheduledTest, TestCall, TestRunView } from './testRun.ts';

/** What undo and redo restore: the document, never the selection or the viewport. */
export interface Snapshot {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface Size {
  width: number;
  height: number;
}

export interface EditorState {
  /** The workflow's saved name; the compiler uses it, the test panel calls its endpoint. */
  workflowName: string;
  /**
   * The workflows scheduling actions may target (`workflow.catalog`), as the server compiles
   * against them; null until loaded (targets are then not checked). See `workflows()`.
   */
  catalog: readonly WorkflowSummary[] | null;
  /** Why the catalog could not be loaded, while it could not. */
  catalogError: string | null;
  readOnly: boolean;
  /** The document, in the stored graph format. */
  nodes: GraphNode[];
  edges: GraphEdge[];
  selectedNodeIds: string[];
  selectedEdgeIds: string[];
  /** Sizes measured by React Flow, kept so re-created node objects do not flash unmeasured. */
  measured: Record<string, Size>;
  /** Bumped by every change of the document; `savedRevision` is the last one the server has. */
  revision: number;
  savedRevision: number;
  saving: boolean;
  saveError: string | null;
  /** The server's diagnostics, authoritative while the document is still at `revision`. */
  serverDiagnostics: { revision: number; list: Diagnostic[] } | null;
  past: Snapshot[];
  future: Snapshot[];
  /** The last change that later changes of the same kind fold into (one drag, one typing burst). */
  lastChange: { key: string; at: number } | null;
  /** The test panel's last call (kept while the panel is closed). */
  testCall: TestCall | null;
  /**
   * The run the last test call created, shown on the canvas (each node's status and output) until
   * the document's content changes (moving nodes keeps it) or the builder dismisses it.
   */
  testRun: TestRunView | null;
  /** The test panel's last "Run later": the run it scheduled (not shown on the canvas). */
  scheduledTest: ScheduledTest | null;
  /**
   * The server's time zone (its `TIME_ZONE`), which recurring schedules without a zone of their own
   * run in; null while unknown (the editor then previews them in UTC and says so).
   */
  instanceTimeZone: string | null;
}

/** Where a change of event kind breaks an expression: a node and the field's diagnostic path. */
export interface ExpressionUse {
  nodeId: string;
  field: string;
}

/** What switching the event to another kind removes: the API event's parameters and their uses. */
export interface EventSwitchImpact {
  parameters: Parameter[];
  uses: ExpressionUse[];
}

export interface DiagnosticsView {
  list: Diagnostic[];
  byNode: Map<string, Diagnostic[]>;
  /** Diagnostics of the workflow as a whole (nodeId null). */
  global: Diagnostic[];
  errorCount: number;
  warningCount: number;
}

export const HISTORY_LIMIT = 100;
/** Keystrokes in one field closer together than this become one undo step. */
const TYPING_COALESCE_MS = 1_000;
const NODE_GAP = 64;
const DEFAULT_NODE_HEIGHT = 96;
const EMPTY: Diagnostic[] = [];
/** What a step shows for a target workflow the catalog no longer has. */
export const DELETED_WORKFLOW = '(deleted workflow)';

/** A change of node positions, as React Flow reports it (drag, arrow keys). */
export interface PositionChange {
  id: string;
  position?: Position;
  dragging?: boolean;
}

/** Coalesce keys of changes that only move nodes: they keep the test run's results on the canvas. */
const isMoveKey = (key: string | null) => key === 'drag' || key === 'move';

/**
 * The editor's logic, usable without React: a zustand store holding the document plus the
 * operations on it. React components read it through selectors (see context.ts).
 *
 * Expression fields are stored as the kernel stores them (parameters, steps and declared fields by
 * id, `$param_x`); the forms show and take the current names through `displayText` / `storedText`,
 * which round-trip exactly. Edits that change names (a parameter's key or fields, a step's title)
 * re-bind the document (`bindGraph`), so a name typed before what it names existed becomes an id.
 */
export class EditorModel {
  readonly store: StoreApi<EditorState>;
  private diagnosticsCache: {
    nodes: GraphNode[];
    edges: GraphEdge[];
    name: string;
    server: EditorState['serverDiagnostics'];
    workflows: ReadonlyMap<string, WorkflowSummary> | undefined;
    view: DiagnosticsView;
  } | null = null;
  private workflowsCache: {
    catalog: EditorState['catalog'];
    name: string;
    parameters: readonly Parameter[] | undefined;
    map: ReadonlyMap<string, WorkflowSummary> | undefined;
  } | null = null;
  private previousByNode = new Map<string, { key: string; list: Diagnostic[] }>();
  private namesCache: { nodes: GraphNode[]; edges: GraphEdge[]; key: string; table: NameTable } | null = null;
  /**
   * What the event had of its own kind when it was switched to the other (the API event's
   * parameters, the Recurring event's schedule), so switching back in this session brings it back.
   */
  private switchedAway: {
    parameters?: Parameter[];
    typing?: ApiEventNode['data']['typing'];
    endpoint?: ApiEventNode['data']['endpoint'];
    schedule?: RecurrenceSpec;
  } = {};
  /** The cron text or "every" last used, so switching the schedule's kind back brings it back. */
  private scheduleMemory: { cron?: string; every?: { every: number; unit: Extract<RecurrenceSpec, { kind: 'every' }>['unit'] } } = {};

  /** The workflow's stable id (null in tests that need none): what a self-scheduling step names. */
  readonly workflowId: string | null;

  constructor(init: { id?: string; name: string; graph: WorkflowGraph; diagnostics?: Diagnostic[]; readOnly?: boolean }) {
    this.workflowId = init.id ?? null;
    this.store = createStore<EditorState>()(() => ({
      workflowName: init.name,
      catalog: null,
      catalogError: null,
      readOnly: init.readOnly ?? false,
      nodes: init.graph.nodes,
      edges: init.graph.edges,
      selectedNodeIds: [],
      selectedEdgeIds: [],
      measured: {},
      revision: 0,
      savedRevision: 0,
      saving: false,
      saveError: null,
      serverDiagnostics: init.diagnostics ? { revision: 0, list: init.diagnostics } : null,
      past: [],
      future: [],
      lastChange: null,
      testCall: null,
      testRun: null,
      scheduledTest: null,
      instanceTimeZone: null,
    }));
  }

  get state(): EditorState {
    return this.store.getState();
  }

  private set(partial: Partial<EditorState>) {
    this.store.setState(partial);
  }

  /** The document in the format the server stores. */
  toGraph(): WorkflowGraph {
    const { nodes, edges } = this.state;
    return { schemaVersion: GRAPH_SCHEMA_VERSION, nodes, edges };
  }

  isDirty(state: EditorState = this.state): boolean {
    return state.revision !== state.savedRevision;
  }

  setWorkflowName(name: string) {
    if (name !== this.state.workflowName) this.set({ workflowName: name });
  }

  // ---- the catalog of workflows -------------------------------------------------------------

  /** The workflows as the server lists them; the same list again keeps its identity (no recompile). */
  setCatalog(catalog: readonly WorkflowSummary[]) {
    const current = this.state.catalog;
    if (current && JSON.stringify(current) === JSON.stringify(catalog)) {
      if (this.state.catalogError) this.set({ catalogError: null });
      return;
    }
    this.set({ catalog, catalogError: null });
  }

  setCatalogError(message: string | null) {
    if (message !== this.state.catalogError) this.set({ catalogError: message });
  }

  /**
   * What the compiler checks scheduling targets against: the catalog by id, with this workflow's
   * entry made of what is on screen (its current parameters and name), so a workflow that
   * schedules itself is checked against its unsaved parameters. undefined until the catalog is
   * loaded. Memoized: the same map while the catalog, the name and the parameters are the same.
   */
  workflows(state: EditorState = this.state): ReadonlyMap<string, WorkflowSummary> | undefined {
    const event = state.nodes.find(isEventNode);
    const parameters = event?.type === 'apiEvent' ? event.data.parameters : undefined;
    const cache = this.workflowsCache;
    if (cache && cache.catalog === state.catalog && cache.name === state.workflowName && cache.parameters === parameters) return cache.map;
    let map: Map<string, WorkflowSummary> | undefined;
    if (state.catalog) {
      map = new Map(state.catalog.map((w) => [w.id, w]));
      if (this.workflowId !== null) map.set(this.workflowId, { id: this.workflowId, name: state.workflowName, parameters: parameters ?? [] });
    }
    this.workflowsCache = { catalog: state.catalog, name: state.workflowName, parameters, map };
    return map;
  }

  /** A workflow's name by id, for node summaries: undefined while unknown, "(deleted workflow)" once the catalog says so. */
  workflowName(id: string, state: EditorState = this.state): string | undefined {
    const map = this.workflows(state);
    if (!map) return undefined;
    return map.get(id)?.name ?? DELETED_WORKFLOW;
  }

  // ---- document changes -------------------------------------------------------------------

  /**
   * Applies a change to the document and records the previous document for undo. Changes with the
   * same `coalesceKey` that follow each other closely fold into one undo step. `rebind`: the change
   * may have changed names, so plain names in expressions are bound to ids again.
   */
  commit(change: (doc: Snapshot) => Snapshot | null, coalesceKey: string | null = null, rebind = false) {
    const state = this.state;
    if (state.readOnly) return;
    let next = change({ nodes: state.nodes, edges: state.edges });
    if (!next || (next.nodes === state.nodes && next.edges === state.edges)) return;
    if (rebind) {
      const bound = bindGraph({ schemaVersion: GRAPH_SCHEMA_VERSION, nodes: next.nodes, edges: next.edges });
      next = { nodes: bound.nodes, edges: bound.edges };
    }
    const now = Date.now();
    const last = state.lastChange;
    const fold =
      coalesceKey !== null &&
      last !== null &&
      last.key === coalesceKey &&
      (coalesceKey.startsWith('drag') || now - last.at < TYPING_COALESCE_MS);
    const past = fold ? state.past : [...state.past, { nodes: state.nodes, edges: state.edges }].slice(-HISTORY_LIMIT);
    this.set({
      nodes: next.nodes,
      edges: next.edges,
      past,
      future: [],
      revision: state.revision + 1,
      lastChange: coalesceKey === null ? null : { key: coalesceKey, at: now },
      ...(!isMoveKey(coalesceKey) && state.testRun && { testRun: null }),
    });
  }

  /** Ends the current fold, so the next change starts a new undo step. */
  endCoalescing() {
    if (this.state.lastChange) this.set({ lastChange: null });
  }

  undo() {
    const state = this.state;
    const previous = state.past.at(-1);
    if (state.readOnly || !previous) return;
    this.set({
      ...previous,
      past: state.past.slice(0, -1),
      future: [...state.future, { nodes: state.nodes, edges: state.edges }],
      revision: state.revision + 1,
      lastChange: null,
      testRun: null,
      ...this.prunedSelection(previous),
    });
  }

  redo() {
    const state = this.state;
    const next = state.future.at(-1);
    if (state.readOnly || !next) return;
    this.set({
      ...next,
      future: state.future.slice(0, -1),
      past: [...state.past, { nodes: state.nodes, edges: state.edges }].slice(-HISTORY_LIMIT),
      revision: state.revision + 1,
      lastChange: null,
      testRun: null,
      ...this.prunedSelection(next),
    });
  }

  private prunedSelection(doc: Snapshot): Pick<EditorState, 'selectedNodeIds' | 'selectedEdgeIds'> {
    const nodeIds = new Set(doc.nodes.map((n) => n.id));
    const edgeIds = new Set(doc.edges.map((e) => e.id));
    return {
      selectedNodeIds: this.state.selectedNodeIds.filter((id) => nodeIds.has(id)),
      selectedEdgeIds: this.state.selectedEdgeIds.filter((id) => edgeIds.has(id)),
    };
  }

  /** The event and then each action, in the order they run (the kernel's `followChain`). */
  chain(nodes: GraphNode[] = this.state.nodes, edges: GraphEdge[] = this.state.edges): GraphNode[] {
    const { event, actions } = followChain(nodes, edges);
    return event ? [event, ...actions] : [];
  }

  /**
   * Adds an action of a registered type after the last node of the chain and connects it. Without
   * a position it goes right below that node. Returns the new node's id.
   */
  addAction(type: string, position?: Position): string | null {
    const module = actionModule(type);
    if (this.state.readOnly || !module) return null;
    const id = newId('node');
    this.commit(
      ({ nodes, edges }) => {
        const last = this.chain(nodes, edges).at(-1);
        const height = (last && this.state.measured[last.id]?.height) ?? DEFAULT_NODE_HEIGHT;
        const at = position ?? (last ? { x: last.position.x, y: last.position.y + height + NODE_GAP } : { x: 0, y: 0 });
        const node = {
          id,
          type: 'action',
          position: { x: Math.round(at.x), y: Math.round(at.y) },
          data: { action: module.create() },
        } as ActionNode;
        return {
          nodes: [...nodes, node],
          edges: last ? [...edges, { id: newId('edge'), source: last.id, target: id }] : edges,
        };
      },
      null,
      // Its name (`steps.<label>`) may be one an expression already uses.
      true,
    );
    this.set({ selectedNodeIds: [id], selectedEdgeIds: [] });
    return id;
  }

  /** Replaces one node; typing in one field folds into one undo step. */
  updateNode<T extends GraphNode>(id: string, update: (node: T) => T, coalesceKey: string | null = null, rebind = false) {
    this.commit(
      ({ nodes, edges }) => {
        let changed = false;
        const next = nodes.map((node) => {
          if (node.id !== id) return node;
          const updated = update(node as T);
          changed = updated !== node;
          return updated;
        });
        return changed ? { nodes: next, edges } : null;
      },
      coalesceKey,
      rebind,
    );
  }

  updateEvent(id: string, update: (data: ApiEventNode['data']) => ApiEventNode['data'], coalesceKey: string | null = null, rebind = false) {
    this.updateData<ApiEventNode>(id, update, coalesceKey, rebind);
  }

  updateAction(id: string, update: (data: ActionNode['data']) => ActionNode['data'], coalesceKey: string | null = null, rebind = false) {
    this.updateData<ActionNode>(id, update, coalesceKey, rebind);
  }

  private updateData<N extends GraphNode>(id: string, update: (data: N['data']) => N['data'], coalesceKey: string | null, rebind: boolean) {
    this.updateNode<N>(
      id,
      (node) => {
        const data = update(node.data);
        return data === node.data ? node : ({ ...node, data } as N);
      },
      coalesceKey,
      rebind,
    );
  }

  /** Replaces an action's configuration (the module's stored form). */
  updateActionConfig(id: string, update: (config: ActionNode['data']['action']) => ActionNode['data']['action'], coalesceKey: string | null = null) {
    this.updateAction(id, (data) => {
      const action = update(data.action);
      return action === data.action ? data : { ...data, action };
    }, coalesceKey);
  }

  /** A step's title: also the name of its result in expressions, so references are re-bound. */
  setTitle(id: string, title: string) {
    this.updateAction(id, ({ title: _old, ...rest }) => (title ? { ...rest, title } : rest), `field:${id}:title`, true);
  }

  /** "Only when" of the event or of an action, as stored (see `storedText`). Empty: always. */
  setOnlyWhen(id: string, stored: string) {
    this.updateNode<GraphNode>(
      id,
      (node) => {
        if ((node.data.onlyWhen ?? '') === stored) return node;
        const { onlyWhen: _old, ...rest } = node.data;
        return { ...node, data: stored ? { ...rest, onlyWhen: stored } : rest } as GraphNode;
      },
      `field:${id}:onlyWhen`,
    );
  }

  // ---- parameters -------------------------------------------------------------------------

  /** The API event's id: the event that has parameters (a recurring event has none). */
  private eventId(): string | null {
    return this.state.nodes.find((n) => n.type === 'apiEvent')?.id ?? null;
  }

  private updateParameters(update: (params: Parameter[]) => Parameter[], coalesceKey: string | null = null, rebind = false) {
    const eventId = this.eventId();
    if (!eventId) return;
    this.updateEvent(
      eventId,
      (data) => {
        const parameters = update(data.parameters);
        return parameters === data.parameters ? data : { ...data, parameters };
      },
      coalesceKey,
      rebind,
    );
  }

  /** Adds a required text parameter with an empty key; returns its id. */
  addParameter(init: Partial<Omit<Parameter, 'id'>> = {}): string | null {
    if (this.state.readOnly || !this.eventId()) return null;
    const id = newId('param');
    this.updateParameters((params) => [...params, { id, key: '', type: 'text', list: false, optional: false, ...init }], null, true);
    return id;
  }

  /**
   * Adds whole parameters ("Detect data" accepted), in one undo step. Their ids come from the
   * caller (`detectParameters` with `newId`); one whose key or id the event already has is left out,
   * so accepting twice adds nothing twice. Returns how many were added.
   */
  addParameters(added: readonly Parameter[]): number {
    if (this.state.readOnly || !this.eventId() || added.length === 0) return 0;
    let count = 0;
    this.updateParameters(
      (params) => {
        const keys = new Set(params.map((p) => p.key.trim()));
        const ids = new Set(params.map((p) => p.id));
        const fresh = added.filter((p) => {
          const key = p.key.trim();
          if (keys.has(key) || ids.has(p.id) || this.state.nodes.some((n) => n.id === p.id)) return false;
          keys.add(key);
          ids.add(p.id);
          return true;
        });
        count = fresh.length;
        return fresh.length === 0 ? params : [...params, ...fresh];
      },
      null,
      true,
    );
    return count;
  }

  /**
   * Changes a parameter. Its key, type, list flag and fields are what names resolve through, so
   * those changes re-bind the document; stored references (by id) never change.
   */
  updateParameter(id: string, patch: Partial<Omit<Parameter, 'id'>>, coalesceKey: string | null = null) {
    this.updateParameters(
      (params) => params.map((p) => (p.id === id ? { ...p, ...patch } : p)),
      coalesceKey ?? (patch.key !== undefined ? `param:${id}:key` : null),
      true,
    );
  }

  removeParameter(id: string) {
    this.updateParameters((params) => params.filter((p) => p.id !== id));
  }

  /** Adds a declared field to an object parameter; returns its id. */
  addField(parameterId: string): string | null {
    if (this.state.readOnly) return null;
    const id = newId('field');
    const field: ObjectField = { id, key: '', type: 'text', list: false, optional: true };
    this.updateParameters((params) => params.map((p) => (p.id === parameterId ? { ...p, fields: [...(p.fields ?? []), field] } : p)), null, true);
    return id;
  }

  updateField(parameterId: string, fieldId: string, patch: Partial<Omit<ObjectField, 'id'>>) {
    this.updateParameters(
      (params) =>
        params.map((p) => (p.id === parameterId ? { ...p, fields: (p.fields ?? []).map((f) => (f.id === fieldId ? { ...f, ...patch } : f)) } : p)),
      patch.key !== undefined ? `field:${parameterId}:${fieldId}:key` : null,
      true,
    );
  }

  removeField(parameterId: string, fieldId: string) {
    this.updateParameters((params) =>
      params.map((p) => (p.id === parameterId ? { ...p, fields: (p.fields ?? []).filter((f) => f.id !== fieldId) } : p)),
    );
  }

  // ---- run settings -----------------------------------------------------------------------

  updateSettings(update: (settings: WorkflowSettings) => WorkflowSettings, coalesceKey: string | null = null) {
    // Either kind of event has run settings.
    const eventId = this.state.nodes.find(isEventNode)?.id;
    if (!eventId) return;
    this.updateData<EventNode>(
      eventId,
      (data) => {
        const settings = update(data.settings);
        return settings === data.settings ? data : { ...data, settings };
      },
      coalesceKey,
      false,
    );
  }

  // ---- the event's kind ---------------------------------------------------------------------

  /** The workflow's event (the first, should a broken graph have two). */
  event(state: EditorState = this.state): EventNode | undefined {
    return state.nodes.find(isEventNode);
  }

  /**
   * What switching the event to `kind` would break: going from an API event to a Recurring one
   * removes its parameters (a recurring run has no caller to send them), and every expression that
   * uses one of them then names something that does not exist. Nothing for other switches.
   */
  eventSwitchImpact(kind: EventType, state: EditorState = this.state): EventSwitchImpact {
    const event = this.event(state);
    if (!event || event.type === kind || event.type !== 'apiEvent' || event.data.parameters.length === 0) return { parameters: [], uses: [] };
    const uses: ExpressionUse[] = [];
    const before = nameTable(state.nodes, state.edges);
    const after = nameTable(state.nodes.filter((n) => n !== event), state.edges);
    for (const node of state.nodes) {
      mapNodeExpressions(node, (text, exprKind, field) => {
        if (toDisplayText(text, exprKind, before) !== toDisplayText(text, exprKind, after)) uses.push({ nodeId: node.id, field });
        return text;
      });
    }
    return { parameters: event.data.parameters, uses };
  }

  /**
   * Makes the workflow's event an API event or a Recurring one, in place: the same node id and
   * position (so its edges stay), its "Only when" and run settings kept; one undo step. Going to
   * Recurring drops the parameters, and expressions that used them show (and store) their names
   * instead of their ids, so the compiler says which name is unknown where, and a parameter of
   * that name added later takes them back. Switching back in the same session restores what the
   * other kind had (parameters, or the schedule). Returns whether it switched.
   */
  switchEvent(kind: EventType): boolean {
    const state = this.state;
    const event = this.event(state);
    if (state.readOnly || !event || event.type === kind) return false;
    const { onlyWhen, settings } = event.data;
    const common = { ...(onlyWhen !== undefined && { onlyWhen }), settings };
    let replacement: EventNode;
    if (kind === 'recurringEvent') {
      if (event.type === 'apiEvent') {
        this.switchedAway = { ...this.switchedAway, parameters: event.data.parameters, typing: event.data.typing, endpoint: event.data.endpoint };
      }
      const schedule = this.switchedAway.schedule ?? defaultSchedule();
      replacement = { id: event.id, type: 'recurringEvent', position: event.position, data: { schedule, ...common } } satisfies RecurringEventNode;
    } else {
      if (event.type === 'recurringEvent') this.switchedAway = { ...this.switchedAway, schedule: event.data.schedule };
      // A new API event requires a token, like a new workflow's; one switched back to keeps its own.
      const { parameters = [], typing, endpoint = NEW_ENDPOINT } = this.switchedAway;
      replacement = {
        id: event.id,
        type: 'apiEvent',
        position: event.position,
        data: { parameters, ...common, ...(typing && { typing }), endpoint },
      } satisfies ApiEventNode;
    }
    this.commit(
      ({ nodes, edges }) => {
        const next = nodes.map((n) => (n.id === event.id ? replacement : n));
        if (kind !== 'recurringEvent') return { nodes: next, edges };
        // Parameter references become names: "Unknown name \"amount\"" where they are used.
        const before = nameTable(nodes, edges);
        const after = nameTable(next, edges);
        return {
          nodes: next.map((node) =>
            mapNodeExpressions(node, (text, exprKind) => {
              const display = toDisplayText(text, exprKind, before);
              return display === toDisplayText(text, exprKind, after) ? text : toStoredText(display, exprKind, after);
            }),
          ),
          edges,
        };
      },
      null,
      // Restored parameters take their names back.
      kind === 'apiEvent',
    );
    this.set({ selectedNodeIds: [event.id], selectedEdgeIds: [] });
    return true;
  }

  // ---- the recurring schedule -------------------------------------------------------------

  /**
   * Changes the Recurring event's schedule; typing in one field (`coalesceKey`) folds into one
   * undo step, as other text fields do.
   */
  updateSchedule(update: (schedule: RecurrenceSpec) => RecurrenceSpec, coalesceKey: string | null = null) {
    const event = this.event();
    if (event?.type !== 'recurringEvent') return;
    this.updateData<RecurringEventNode>(
      event.id,
      (data) => {
        const schedule = update(data.schedule);
        return schedule === data.schedule ? data : { ...data, schedule };
      },
      coalesceKey,
      false,
    );
  }

  /** The cron expression as typed (stored as typed; the form and the compiler say what is wrong). */
  setCron(cron: string) {
    const id = this.event()?.id;
    this.updateSchedule((s) => (s.kind === 'cron' && s.cron !== cron ? { ...s, cron } : s), `field:${id}:schedule.cron`);
  }

  /**
   * Cron or "every N units": the other fields (start, zone, missed runs) are kept, and what the
   * other kind had in this session comes back (else a cron of every day at 03:00, or every day).
   */
  setScheduleKind(kind: RecurrenceSpec['kind']) {
    this.updateSchedule((s) => {
      if (s.kind === kind) return s;
      const common = { startAt: s.startAt, timeZone: s.timeZone, missed: s.missed };
      if (s.kind === 'cron') this.scheduleMemory.cron = s.cron;
      else this.scheduleMemory.every = { every: s.every, unit: s.unit };
      return kind === 'cron'
        ? { kind, cron: this.scheduleMemory.cron ?? DEFAULT_CRON, ...common }
        : { kind, ...(this.scheduleMemory.every ?? DEFAULT_EVERY), ...common };
    });
  }

  /** N of "every N units" (a whole number from 1; the form refuses others before they get here). */
  setEvery(every: number) {
    const id = this.event()?.id;
    this.updateSchedule((s) => (s.kind === 'every' && s.every !== every ? { ...s, every } : s), `field:${id}:schedule.every`);
  }

  setEveryUnit(unit: Extract<RecurrenceSpec, { kind: 'every' }>['unit']) {
    this.updateSchedule((s) => (s.kind === 'every' && s.unit !== unit ? { ...s, unit } : s));
  }

  /** The start, ISO 8601 without an offset (the schedule zone's wall clock); null or empty: none. */
  setStartAt(startAt: string | null) {
    const id = this.event()?.id;
    const value = startAt === null || startAt.trim() === '' ? null : startAt;
    this.updateSchedule((s) => (s.startAt === value ? s : { ...s, startAt: value }), `field:${id}:schedule.startAt`);
  }

  /** The schedule's IANA zone; null: the instance's. */
  setScheduleTimeZone(timeZone: string | null) {
    this.updateSchedule((s) => (s.timeZone === timeZone ? s : { ...s, timeZone }));
  }

  setMissed(missed: RecurrenceSpec['missed']) {
    this.updateSchedule((s) => (s.missed === missed ? s : { ...s, missed }));
  }

  /** The server's zone, once known (see `instanceTimeZone`). */
  setInstanceTimeZone(zone: string | null) {
    if (zone !== this.state.instanceTimeZone) this.set({ instanceTimeZone: zone });
  }

  moveNodes(changes: PositionChange[]) {
    const moves = new Map<string, Position>();
    for (const change of changes) if (change.position) moves.set(change.id, change.position);
    const dragging = changes.some((c) => c.dragging);
    const dragEnded = changes.some((c) => c.dragging === false);
    if (moves.size > 0) {
      this.commit(({ nodes, edges }) => {
        let changed = false;
        const next = nodes.map((node) => {
          const to = moves.get(node.id);
          if (!to || (to.x === node.position.x && to.y === node.position.y)) return node;
          changed = true;
          return { ...node, position: { x: to.x, y: to.y } };
        });
        return changed ? { nodes: next, edges } : null;
      }, dragging || dragEnded ? 'drag' : 'move');
    }
    if (dragEnded) this.endCoalescing();
  }

  /** "source runs before target". Refuses self-loops and duplicates. Step names follow the order. */
  connect(source: string, target: string) {
    if (source === target) return;
    this.commit(
      ({ nodes, edges }) => {
        if (edges.some((e) => e.source === source && e.target === target)) return null;
        const ids = new Set(nodes.map((n) => n.id));
        if (!ids.has(source) || !ids.has(target)) return null;
        return { nodes, edges: [...edges, { id: newId('edge'), source, target }] };
      },
      null,
      true,
    );
  }

  /** Deletes nodes (never the event) with their edges, and edges, as one undo step. */
  deleteElements(nodeIds: readonly string[], edgeIds: readonly string[] = []) {
    this.commit(({ nodes, edges }) => {
      const removable = new Set(
        nodes.filter((n) => nodeIds.includes(n.id) && n.type === 'action').map((n) => n.id),
      );
      const dropEdges = new Set(edgeIds);
      const nextNodes = nodes.filter((n) => !removable.has(n.id));
      const nextEdges = edges.filter(
        (e) => !dropEdges.has(e.id) && !removable.has(e.source) && !removable.has(e.target),
      );
      if (nextNodes.length === nodes.length && nextEdges.length === edges.length) return null;
      return { nodes: nextNodes, edges: nextEdges };
    });
    const state = this.state;
    this.set(this.prunedSelection({ nodes: state.nodes, edges: state.edges }));
  }

  // ---- names ------------------------------------------------------------------------------

  /**
   * The current names of parameters, fields and steps. Memoized on the document; when only
   * positions or non-name fields changed, the same table object comes back, so components that
   * show names re-render only when a name changes.
   */
  names(state: EditorState = this.state): NameTable {
    const cache = this.namesCache;
    if (cache && cache.edges === state.edges && (cache.nodes === state.nodes || sameNames(cache.nodes, state.nodes))) {
      cache.nodes = state.nodes;
      return cache.table;
    }
    const table = nameTable(state.nodes, state.edges);
    const key = tableKey(table);
    if (cache && cache.key === key) {
      this.namesCache = { ...cache, nodes: state.nodes, edges: state.edges };
      return cache.table;
    }
    this.namesCache = { nodes: state.nodes, edges: state.edges, key, table };
    return table;
  }

  /** What a field shows for stored text. */
  displayText(stored: string, kind: ExpressionKind, state: EditorState = this.state): string {
    return toDisplayText(stored, kind, this.names(state));
  }

  /** What a field stores for the text it shows. */
  storedText(display: string, kind: ExpressionKind, state: EditorState = this.state): string {
    return toStoredText(display, kind, this.names(state));
  }

  // ---- selection and measurements (not part of the document) ---------------------------------

  select(nodeIds: string[], edgeIds: string[] = []) {
    this.set({ selectedNodeIds: nodeIds, selectedEdgeIds: edgeIds });
  }

  setSelected(kind: 'node' | 'edge', changes: { id: string; selected: boolean }[]) {
    const key = kind === 'node' ? 'selectedNodeIds' : 'selectedEdgeIds';
    const current = new Set(this.state[key]);
    for (const change of changes) {
      if (change.selected) current.add(change.id);
      else current.delete(change.id);
    }
    const next = [...current];
    const before = this.state[key];
    if (next.length !== before.length || next.some((id, i) => id !== before[i])) this.set({ [key]: next });
  }

  setMeasured(sizes: { id: string; size: Size }[]) {
    const measured = this.state.measured;
    const changed = sizes.filter(({ id, size }) => measured[id]?.width !== size.width || measured[id]?.height !== size.height);
    if (changed.length === 0) return;
    const next = { ...measured };
    for (const { id, size } of changed) next[id] = size;
    this.set({ measured: next });
  }

  // ---- test runs (not part of the document) ----------------------------------------------

  setTestCall(call: TestCall | null) {
    this.set({ testCall: call });
  }

  /** Shows a run's results on the canvas; `null` dismisses them. */
  setTestRun(run: TestRunView | null) {
    this.set({ testRun: run });
  }

  /** The run the test panel's "Run later" scheduled; `null` dismisses it. */
  setScheduledTest(scheduled: ScheduledTest | null) {
    this.set({ scheduledTest: scheduled });
  }

  // ---- saving -----------------------------------------------------------------------------

  markSaving() {
    this.set({ saving: true });
  }

  markSaved(revision: number, diagnostics: Diagnostic[]) {
    this.set({
      saving: false,
      saveError: null,
      savedRevision: Math.max(this.state.savedRevision, revision),
      serverDiagnostics: { revision, list: diagnostics },
    });
  }

  markSaveFailed(message: string) {
    this.set({ saving: false, saveError: message });
  }

  // ---- diagnostics ------------------------------------------------------------------------

  /**
   * The diagnostics to show: the server's, right after a save, else the compiler's run here on the
   * current document. Memoized on the document, and each node's list keeps its identity while its
   * content is unchanged, so nodes re-render only when their own diagnostics change.
   */
  diagnostics(state: EditorState = this.state): DiagnosticsView {
    const cache = this.diagnosticsCache;
    const server = state.serverDiagnostics?.revision === state.revision ? state.serverDiagnostics : null;
    const workflows = this.workflows(state);
    if (cache && cache.edges === state.edges && cache.name === state.workflowName && cache.server === server && cache.workflows === workflows) {
      if (cache.nodes === state.nodes) return cache.view;
      // Moving nodes keeps every node's data: nothing the compiler reads has changed.
      if (sameContent(cache.nodes, state.nodes)) {
        cache.nodes = state.nodes;
        return cache.view;
      }
    }
    const list = server
      ? server.list
      : compile(
          state.workflowName,
          { schemaVersion: GRAPH_SCHEMA_VERSION, nodes: state.nodes, edges: state.edges },
          // As the server compiles: with the catalog, so the diagnostics are the same.
          { ...(this.workflowId !== null && { workflowId: this.workflowId }), ...(workflows && { workflows }) },
        ).diagnostics;
    const grouped = new Map<string, Diagnostic[]>();
    const global: Diagnostic[] = [];
    for (const d of list) {
      if (d.nodeId === null) global.push(d);
      else grouped.set(d.nodeId, [...(grouped.get(d.nodeId) ?? []), d]);
    }
    const byNode = new Map<string, Diagnostic[]>();
    const previous = new Map<string, { key: string; list: Diagnostic[] }>();
    for (const [nodeId, diags] of grouped) {
      const key = JSON.stringify(diags);
      const prior = this.previousByNode.get(nodeId);
      const kept = prior && prior.key === key ? prior.list : diags;
      byNode.set(nodeId, kept);
      previous.set(nodeId, { key, list: kept });
    }
    this.previousByNode = previous;
    const view: DiagnosticsView = {
      list,
      byNode,
      global,
      errorCount: list.filter((d) => d.severity === 'error').length,
      warningCount: list.filter((d) => d.severity === 'warning').length,
    };
    this.diagnosticsCache = { nodes: state.nodes, edges: state.edges, name: state.workflowName, server, workflows, view };
    return view;
  }

  nodeDiagnostics(nodeId: string, state: EditorState = this.state): Diagnostic[] {
    return this.diagnostics(state).byNode.get(nodeId) ?? EMPTY;
  }
}

/** Same nodes with the same data, positions aside. */
function sameContent(a: GraphNode[], b: GraphNode[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && (x.id !== y.id || x.type !== y.type || x.data !== y.data)) return false;
  }
  return true;
}

/**
 * Same nodes with the same names: what a name table is made of (parameters, step titles and
 * action types) is unchanged, whatever else changed (positions, messages, conditions).
 */
function sameNames(a: GraphNode[], b: GraphNode[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y || x.data === y.data) continue;
    if (x.id !== y.id || x.type !== y.type) return false;
    if (x.type === 'apiEvent') {
      if (x.data.parameters !== (y as ApiEventNode).data.parameters) return false;
    } else if (x.type === 'recurringEvent') {
      // No parameters: nothing it has is a name.
    } else if (x.data.title !== (y as ActionNode).data.title || x.data.action.type !== (y as ActionNode).data.action.type) {
      return false;
    }
  }
  return true;
}

/** A name table's content as text, to tell whether a rebuilt table says anything new. */
function tableKey(table: NameTable): string {
  const entries = (map: Map<string, string>) => [...map].join(';');
  const nested = (map: Map<string, Map<string, string>>) => [...map].map(([id, fields]) => `${id}:${entries(fields)}`).join('|');
  return [entries(table.paramKey), nested(table.fieldKey), entries(table.stepName), [...(table.lists ?? [])].join()].join('\n');
}

export type SaveStatus =
  | { kind: 'saved' }
  | { kind: 'saving' }
  | { kind: 'dirty' }
  | { kind: 'failed'; message: string };

export function saveStatus(state: EditorState): SaveStatus {
  if (state.saving) return { kind: 'saving' };
  if (state.revision !== state.savedRevision) {
    return state.saveError ? { kind: 'failed', message: state.saveError } : { kind: 'dirty' };
  }
  return { kind: 'saved' };
}

export function saveStatusText(status: SaveStatus): string {
  switch (status.kind) {
    case 'saved':
      return 'All changes saved';
    case 'saving':
      return 'Saving…';
    case 'dirty':
      return 'Unsaved changes';
    case 'failed':
      return `Save failed: ${status.message}`;
  }
}
