import { describe, expect, it } from 'vitest';
import { compile } from './compile.ts';
import { DEFINITION_SCHEMA_VERSION, type WorkflowDefinition, parseDefinition } from './definition.ts';
import { WORKFLOW_FILE_FORMAT, WORKFLOW_FILE_VERSION, parseWorkflowFile } from './file.ts';
import { GRAPH_SCHEMA_VERSION, type WorkflowGraph } from './graph.ts';
import { parseStoredGraph } from './migrations.ts';
import { mapNodeExpressions, nameTable, toDisplayText } from './references.ts';
import { DEFAULT_SETTINGS } from './settings.ts';
import { call, compiled, graph } from './test-support.ts';
import v1Definition from './fixtures/v1-definition.json';
import v1Graph from './fixtures/v1-graph.json';

/**
 * `fixtures/v1-graph.json` is a schema-version-1 document as the editor stored it (ids with hyphens,
 * expressions naming parameters by key, "Only when" in both spellings); `fixtures/v1-definition.json`
 * is what the version-1 compiler made of it, as releases hold it. The expected results below were
 * produced by running the version-1 kernel (compile + the server's executeDefinition at commit
 * 1631535) on the same bodies at the same clock.
 */
const V1_RESULTS: { body: Record<string, unknown>; status: 'succeeded' | 'failed'; response?: unknown; error?: string; steps: [string, string, string[]][] }[] = [
  {
    body: { amount: 150, name: 'Ada', vip: true, when: '2024-01-01T10:00' },
    status: 'succeeded',
    response: { total: 180, greeting: 'Hi Ada!', vip: true, when: '2024-01-01T10:00:00.000Z', size: 'large', ratio: 0.6666666666666666 },
    steps: [
      ['n-log', 'succeeded', ['Charging 300 for Ada at 2026-03-29T00:30:00.000Z']],
      ['n-big', 'succeeded', ['Big order: 150']],
      ['n-ret', 'succeeded', []],
    ],
  },
  {
    body: { amount: '20' },
    status: 'succeeded',
    response: { total: 24, greeting: 'Hi !', vip: null, when: null, size: 'small', ratio: 5 },
    steps: [
      ['n-log', 'succeeded', ['Charging 40 for  at 2026-03-29T00:30:00.000Z']],
      ['n-big', 'skipped', []],
      ['n-ret', 'succeeded', []],
    ],
  },
  {
    body: { amount: -5, vip: 'no' },
    status: 'succeeded',
    response: { total: -6, greeting: 'Hi !', vip: false, when: null, size: 'small', ratio: -20 },
    steps: [
      ['n-log', 'skipped', []],
      ['n-big', 'skipped', []],
      ['n-ret', 'succeeded', []],
    ],
  },
  {
    body: { amount: 0 },
    status: 'failed',
    // Version 1 said `failed: Division by zero`; the same step fails for the same reason, and now names the field.
    error: 'Step 3 "Return data from API" failed: Value of "ratio": Division by zero',
    steps: [
      ['n-log', 'skipped', []],
      ['n-big', 'skipped', []],
      ['n-ret', 'failed', []],
    ],
  },
];

/** Step ids as version 1 had them: migration makes them identifier-safe (`n-log` -> `n_log`). */
const V1_IDS = (id: string) => id.replaceAll('-', '_');

async function expectVersion1Results(definition: WorkflowDefinition, stepId: (v1Id: string) => string) {
  for (const expected of V1_RESULTS) {
    const outcome = await call(definition, expected.body);
    expect(outcome.status, JSON.stringify(expected.body)).toBe(expected.status);
    if (outcome.status === 'succeeded') expect(JSON.parse(outcome.response!)).toEqual(expected.response);
    if (outcome.status === 'failed') expect(outcome.error).toBe(expected.error);
    expect(outcome.records.map((r) => [r.stepId, r.status, r.logs])).toEqual(expected.steps.map(([id, status, logs]) => [stepId(id), status, logs]));
  }
  await expect(call(definition, {})).rejects.toThrow('Missing required parameter "amount"');
  await expect(call(definition, { amount: 'x' })).rejects.toThrow('Parameter "amount" must be a number, got "x"');
}

describe('graph migration 1 -> 2', () => {
  const migrated = parseStoredGraph(v1Graph);

  it('loads a version-1 graph as version 2, with identifier-safe ids', () => {
    expect(migrated.success).toBe(true);
    const g = migrated.data!;
    expect(g.schemaVersion).toBe(GRAPH_SCHEMA_VERSION);
    expect(g.nodes.map((n) => n.id)).toEqual(['evt_1', 'n_log', 'n_big', 'n_ret']);
    expect(g.edges).toEqual([
      { id: 'e_1', source: 'evt_1', target: 'n_log' },
      { id: 'e_2', source: 'n_log', target: 'n_big' },
      { id: 'e_3', source: 'n_big', target: 'n_ret' },
    ]);
    const event = g.nodes[0]!;
    expect(event.type === 'apiEvent' && event.data).toEqual({
      parameters: [
        { id: 'p_amount', key: 'amount', type: 'number', list: false, optional: false },
        { id: 'p_name', key: 'name', type: 'text', list: false, optional: true },
        { id: 'p_vip', key: 'vip', type: 'boolean', list: false, optional: true },
        { id: 'p_when', key: 'when', type: 'date', list: false, optional: true },
      ],
      settings: DEFAULT_SETTINGS,
      // Made before typed expressions: it keeps its old, dynamic behaviour (see TypeEnv.lenient).
      typing: 'lenient',
    });
  });

  it('stores expressions by id, and shows exactly the version-1 text', () => {
    const g = migrated.data!;
    const log = g.nodes[1]!;
    expect(log.type === 'action' && log.data).toEqual({
      onlyWhen: '$p_amount > 0',
      action: { type: 'log', message: 'Charging {{$p_amount * 2}} for {{$p_name}} at {{now}}' },
    });
    const ret = g.nodes[3]!;
    expect(ret.type === 'action' && ret.data.action.type === 'returnData' && ret.data.action.entries.map((e) => e.id)).toEqual(['e_1', 'e_2', 'e_3', 'e_4', 'e_5', 'e_6']);
    const names = nameTable(g.nodes, g.edges);
    const shown: string[] = [];
    for (const node of g.nodes) mapNodeExpressions(node, (text, kind) => (shown.push(toDisplayText(text, kind, names)), text));
    const original: string[] = [];
    for (const node of v1Graph.nodes) {
      const data = node.data as { onlyWhen?: string; action?: { type: string; message?: string; entries?: { value: string }[] } };
      if (data.onlyWhen !== undefined) original.push(data.onlyWhen);
      if (data.action?.message !== undefined) original.push(data.action.message);
      for (const entry of data.action?.entries ?? []) original.push(entry.value);
    }
    expect(shown).toEqual(original);
  });

  it('compiles and runs with exactly the results version 1 had', async () => {
    const definition = compiled(migrated.data!, 'charge');
    await expectVersion1Results(definition, V1_IDS);
  });

  it('keeps the dynamic behaviour of version-1 expressions that typed expressions would refuse', async () => {
    const loose = parseStoredGraph({
      schemaVersion: 1,
      nodes: [
        {
          id: 'event',
          type: 'apiEvent',
          position: { x: 0, y: 0 },
          data: {
            parameters: [
              { id: 'p-name', key: 'name', type: 'text', optional: true },
              { id: 'p-amount', key: 'amount', type: 'number', optional: true },
            ],
          },
        },
        { id: 'log', type: 'action', position: { x: 0, y: 1 }, data: { onlyWhen: 'name', action: { type: 'log', message: '{{"Hi " + name}}' } } },
        { id: 'ret', type: 'action', position: { x: 0, y: 2 }, data: { action: { type: 'returnData', entries: [{ id: 'd', key: 'doubled', value: '{{amount * 2}}' }] } } },
      ],
      edges: [
        { id: 'e-1', source: 'event', target: 'log' },
        { id: 'e-2', source: 'log', target: 'ret' },
      ],
    });
    expect(loose.success).toBe(true);
    const event = loose.data!.nodes[0]!;
    expect(event.type === 'apiEvent' && event.data.typing).toBe('lenient');
    const definition = compiled(loose.data!);
    // What version 1 did: a truthy condition, empty joined as "", and a run-time error for empty * 2.
    const full = await call(definition, { name: 'Ada', amount: 2 });
    expect(full.records.map((r) => [r.stepId, r.status, r.logs])).toEqual([
      ['log', 'succeeded', ['Hi Ada']],
      ['ret', 'succeeded', []],
    ]);
    expect(full.status === 'succeeded' && JSON.parse(full.response!)).toEqual({ doubled: 4 });
    const empty = await call(definition, {});
    expect(empty.records.map((r) => [r.stepId, r.status])).toEqual([
      ['log', 'skipped'],
      ['ret', 'failed'],
    ]);
    expect(empty.status === 'failed' && empty.error).toBe('Step 2 "Return data from API" failed: Value of "doubled": Cannot multiply empty: a number is needed');

    // Switching to typed expressions shows what to fix, on the fields.
    const strict = {
      ...loose.data!,
      nodes: loose.data!.nodes.map((n) => (n.type === 'apiEvent' ? { ...n, data: { parameters: n.data.parameters, settings: n.data.settings } } : n)),
    };
    expect(compile('loose', strict).diagnostics.map((d) => [d.nodeId, d.field, d.message])).toEqual([
      ['log', 'onlyWhen', 'name is text or empty; yes/no is needed'],
      ['log', 'message', 'Cannot join name to text: it is text or empty (give it a default: name ?? "")'],
      ['ret', 'entries.d.value', 'amount * 2: amount is a number or empty; a number is needed: give it a default (amount ?? …)'],
    ]);
  });

  it('keeps ids unique when making them safe, and keeps node ids spelled as they were', () => {
    const clash = parseStoredGraph({
      schemaVersion: 1,
      nodes: [
        { id: 'a-b', type: 'apiEvent', position: { x: 0, y: 0 }, data: { parameters: [{ id: 'a_b', key: 'x', type: 'number', optional: false }, { id: 'a.b', key: 'y', type: 'number', optional: false }] } },
        { id: 'a_b', type: 'action', position: { x: 0, y: 0 }, data: { action: { type: 'log', message: '{{x + y}}' } } },
      ],
      edges: [{ id: 'e', source: 'a-b', target: 'a_b' }],
    });
    expect(clash.success).toBe(true);
    const [event, action] = clash.data!.nodes;
    expect(event!.id).toBe('a_b_2');
    expect(action!.id).toBe('a_b');
    expect(event!.type === 'apiEvent' && event!.data.parameters.map((p) => p.id)).toEqual(['a_b_3', 'a_b_4']);
    expect(action!.type === 'action' && action!.data.action).toEqual({ type: 'log', message: '{{$a_b_3 + $a_b_4}}' });
    expect(clash.data!.edges).toEqual([{ id: 'e', source: 'a_b_2', target: 'a_b' }]);
    expect(compile('clash', clash.data!).diagnostics).toEqual([]);
  });

  it('refuses what is no known version, with the schema\'s issues', () => {
    expect(parseStoredGraph({ schemaVersion: 1, nodes: [{ id: 'x', type: 'mystery' }], edges: [] }).success).toBe(false);
    expect(parseStoredGraph({ schemaVersion: 3, nodes: [], edges: [] }).success).toBe(false);
    expect(parseStoredGraph(null).success).toBe(false);
    expect(parseStoredGraph('{}').success).toBe(false);
  });

  it('passes version 2 through unchanged', () => {
    const g: WorkflowGraph = graph({ parameters: [{ id: 'p', key: 'p', type: 'text', optional: true }] });
    expect(parseStoredGraph(g)).toEqual({ success: true, data: g });
  });
});

describe('export files', () => {
  const v1File = { format: WORKFLOW_FILE_FORMAT, formatVersion: 1, name: 'charge', label: 'Charge', graph: v1Graph };

  it('imports a version-1 file: its graph is migrated, and it runs as before', async () => {
    const file = parseWorkflowFile(JSON.parse(JSON.stringify(v1File)));
    expect(file.success).toBe(true);
    expect(file.data).toMatchObject({ format: WORKFLOW_FILE_FORMAT, formatVersion: WORKFLOW_FILE_VERSION, name: 'charge', label: 'Charge' });
    expect(file.data!.graph).toEqual(parseStoredGraph(v1Graph).data);
    await expectVersion1Results(compiled(file.data!.graph, file.data!.name), V1_IDS);
  });

  it('reads its own format back', () => {
    const g = graph({ parameters: [{ id: 'p', key: 'p', type: 'number', optional: false }] });
    const file = { format: WORKFLOW_FILE_FORMAT, formatVersion: WORKFLOW_FILE_VERSION, name: 'mine', label: '', graph: g };
    expect(parseWorkflowFile(JSON.parse(JSON.stringify(file)))).toEqual({ success: true, data: file });
  });

  it('names where a broken file is broken', () => {
    const broken = parseWorkflowFile({ ...v1File, graph: { ...v1Graph, edges: [{ id: 'x', source: 'evt-1', target: 'ghost' }] } });
    expect(broken.success).toBe(false);
    expect(broken.error!.issues[0]!.path[0]).toBe('graph');
    expect(parseWorkflowFile({ ...v1File, name: 'Not A Name' }).error!.issues[0]!.path).toEqual(['name']);
    expect(parseWorkflowFile({ ...v1File, format: 'other' }).success).toBe(false);
    expect(parseWorkflowFile({ ...v1File, formatVersion: 3 }).success).toBe(false);
  });
});

describe('version-1 compiled definitions (releases made before version 2)', () => {
  it('upgrade to the current schema and run with the results version 1 had', async () => {
    const definition = parseDefinition(JSON.parse(JSON.stringify(v1Definition)));
    expect(definition.schemaVersion).toBe(DEFINITION_SCHEMA_VERSION);
    expect(definition.settings).toEqual(DEFAULT_SETTINGS);
    expect(definition.trigger.parameters.map((p) => [p.id, p.key, p.list])).toEqual([
      ['amount', 'amount', false],
      ['name', 'name', false],
      ['vip', 'vip', false],
      ['when', 'when', false],
    ]);
    await expectVersion1Results(definition, (id) => id);
  });

  it('gives a parameter whose key is also a step id its own id, so the step result does not replace it', async () => {
    const raw = {
      schemaVersion: 1,
      name: 'clash',
      trigger: { type: 'api', parameters: [{ key: 'first', type: 'number', optional: false }] },
      steps: [
        { id: 'first', type: 'log', label: 'Log', message: { parts: [{ expr: { kind: 'param', key: 'first' } }] } },
        { id: 'ret', type: 'returnData', label: 'Return', entries: [{ key: 'value', value: { parts: [{ expr: { kind: 'binary', op: '*', left: { kind: 'param', key: 'first' }, right: { kind: 'literal', value: 2 } } }] } }] },
      ],
    };
    const definition = parseDefinition(raw);
    expect(definition.trigger.parameters[0]).toMatchObject({ id: 'first_param', key: 'first' });
    const outcome = await call(definition, { first: 21 });
    expect(outcome.status === 'succeeded' && JSON.parse(outcome.response!)).toEqual({ value: 42 });
  });

  it('refuses a version-1 definition that does not have the version-1 shape', () => {
    expect(() => parseDefinition({ schemaVersion: 1, name: 'x', trigger: { type: 'api', parameters: [] }, steps: [{ id: 's', type: 'mystery', label: 'M' }] })).toThrow();
  });
});
