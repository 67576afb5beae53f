import { type GraphEdge, type GraphNode, actionModule } from '@switchyard/workflow';
import {
  Background,
  BackgroundVariant,
  type Connection,
  Controls,
  type DefaultEdgeOptions,
  type Edge,
  type EdgeChange,
  MarkerType,
  MiniMap,
  type NodeChange,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
} from '@xyflow/react';
import { type DragEvent, useCallback, useEffect, useMemo, useRef } from 'react';
import { useEditor, useEditorState } from './context.ts';
import type { Size } from './model.ts';
import { type FlowNode, nodeTypes } from './nodes.tsx';
import { TestRunBanner } from './TestRunBanner.tsx';
import { initialView } from './viewport.ts';

export const ACTION_DRAG_TYPE = 'application/x-switchyard-action';
const NODE_WIDTH = 260;

interface NodeCacheEntry {
  selected: boolean;
  measured: Size | undefined;
  readOnly: boolean;
  flow: FlowNode;
}

/**
 * React Flow objects made from graph nodes and edges, keyed by the (immutable) graph object they
 * came from. A React Flow object is re-created only when its graph object, selection, size or the
 * read-only flag changes, so React Flow skips every other node on each update. Weak keys: entries
 * go away with the graph objects they describe.
 */
const flowNodeCache = new WeakMap<GraphNode, NodeCacheEntry>();
const flowEdgeCache = new WeakMap<GraphEdge, { selected: boolean; readOnly: boolean; flow: Edge }>();

function useFlowNodes(): FlowNode[] {
  const nodes = useEditorState((s) => s.nodes);
  const selectedIds = useEditorState((s) => s.selectedNodeIds);
  const measured = useEditorState((s) => s.measured);
  const readOnly = useEditorState((s) => s.readOnly);
  return useMemo(() => {
    const selected = new Set(selectedIds);
    return nodes.map((node) => {
      const isSelected = selected.has(node.id);
      const size = measured[node.id];
      const prior = flowNodeCache.get(node);
      if (prior && prior.selected === isSelected && prior.measured === size && prior.readOnly === readOnly) return prior.flow;
      const base = {
        id: node.id,
        position: node.position,
        selected: isSelected,
        deletable: !readOnly && node.type === 'action',
        draggable: !readOnly,
        ...(size && { measured: size }),
      };
      const flowNode: FlowNode =
        node.type === 'apiEvent'
          ? { ...base, type: 'apiEvent', data: node.data }
          : node.type === 'recurringEvent'
            ? { ...base, type: 'recurringEvent', data: node.data }
            : { ...base, type: 'action', data: node.data };
      flowNodeCache.set(node, { selected: isSelected, measured: size, readOnly, flow: flowNode });
      return flowNode;
    });
  }, [nodes, selectedIds, measured, readOnly]);
}

function useFlowEdges(): Edge[] {
  const edges = useEditorState((s) => s.edges);
  const selectedIds = useEditorState((s) => s.selectedEdgeIds);
  const readOnly = useEditorState((s) => s.readOnly);
  return useMemo(() => {
    const selected = new Set(selectedIds);
    return edges.map((edge) => {
      const isSelected = selected.has(edge.id);
      const prior = flowEdgeCache.get(edge);
      if (prior && prior.selected === isSelected && prior.readOnly === readOnly) return prior.flow;
      const flowEdge: Edge = {
        id: edge.id,
        source: edge.source,
        target: edge.target,
        selected: isSelected,
        deletable: !readOnly,
      };
      flowEdgeCache.set(edge, { selected: isSelected, readOnly, flow: flowEdge });
      return flowEdge;
    });
  }, [edges, selectedIds, readOnly]);
}

const defaultEdgeOptions: DefaultEdgeOptions = {
  markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 },
};


const notToItself = (connection: { source: string; target: string }) => connection.source !== connection.target;

function minimapColor(node: FlowNode): string {
  return node.type === 'action' ? 'var(--grey-400)' : 'var(--accent)';
}

export function Canvas() {
  const editor = useEditor();
  const nodes = useFlowNodes();
  const edges = useFlowEdges();
  const readOnly = useEditorState((s) => s.readOnly);
  const flow = useReactFlow<FlowNode>();
  const { screenToFlowPosition } = flow;

  // Once the nodes have their sizes, frame them (once per editor).
  const initialized = useNodesInitialized();
  const framed = useRef(false);
  useEffect(() => {
    if (!initialized || framed.current) return;
    framed.current = true;
    initialView(flow);
  }, [initialized, flow]);

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      const positions: { id: string; position?: { x: number; y: number }; dragging?: boolean }[] = [];
      const selections: { id: string; selected: boolean }[] = [];
      const sizes: { id: string; size: Size }[] = [];
      for (const change of changes) {
        if (change.type === 'position') positions.push(change);
        else if (change.type === 'select') selections.push(change);
        else if (change.type === 'dimensions' && change.dimensions) sizes.push({ id: change.id, size: change.dimensions });
        // 'remove' is handled once for nodes and edges together in onDelete.
      }
      if (sizes.length > 0) editor.setMeasured(sizes);
      if (selections.length > 0) editor.setSelected('node', selections);
      if (positions.length > 0) editor.moveNodes(positions);
    },
    [editor],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const selections = changes.flatMap((c) => (c.type === 'select' ? [c] : []));
      if (selections.length > 0) editor.setSelected('edge', selections);
    },
    [editor],
  );

  const onConnect = useCallback((connection: Connection) => editor.connect(connection.source, connection.target), [editor]);

  const onDelete = useCallback(
    ({ nodes: removed, edges: removedEdges }: { nodes: FlowNode[]; edges: Edge[] }) =>
      editor.deleteElements(
        removed.map((n) => n.id),
        removedEdges.map((e) => e.id),
      ),
    [editor],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(ACTION_DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(ACTION_DRAG_TYPE);
      if (!actionModule(type)) return;
      event.preventDefault();
      const at = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      editor.addAction(type, { x: at.x - NODE_WIDTH / 2, y: at.y - 24 });
    },
    [editor, screenToFlowPosition],
  );

  return (
    <div className="canvas" onDragOver={onDragOver} onDrop={onDrop}>
      <TestRunBanner />
      <ReactFlow<FlowNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onDelete={onDelete}
        isValidConnection={notToItself}
        defaultEdgeOptions={defaultEdgeOptions}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesFocusable={!readOnly}
        deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
        minZoom={0.1}
        maxZoom={2}
        snapToGrid
        snapGrid={[8, 8]}
        onlyRenderVisibleElements={nodes.length > 200}
        aria-label="Workflow canvas"
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1} color="var(--grey-300)" />
        <Controls showInteractive={false} />
        <MiniMap<FlowNode>
          pannable
          zoomable
          nodeColor={minimapColor}
          nodeStrokeWidth={0}
          nodeBorderRadius={4}
          ariaLabel="Mini map"
          style={{ width: 160, height: 110 }}
        />
      </ReactFlow>
    </div>
  );
}
