import { type ReactFlowInstance, getNodesBounds } from '@xyflow/react';
import type { FlowNode } from './nodes.tsx';

const MARGIN = 48;

type Flow = Pick<ReactFlowInstance<FlowNode>, 'getViewport' | 'setViewport' | 'getNodes' | 'fitView'>;

function paneOf(): DOMRect | null {
  return document.querySelector('.canvas .react-flow')?.getBoundingClientRect() ?? null;
}

/** Pans the least needed so the node is fully on screen (no zoom change, nothing if already visible). */
export function revealNode(flow: Flow, nodeId: string) {
  const element = document.querySelector(`.canvas .react-flow__node[data-id="${CSS.escape(nodeId)}"]`);
  const pane = paneOf();
  if (!element || !pane) return;
  const box = element.getBoundingClientRect();
  const shift = (start: number, end: number, min: number, max: number) => {
    if (end - start > max - min - 2 * MARGIN) return min + MARGIN - start; // too big: align its start
    if (start < min + MARGIN) return min + MARGIN - start;
    if (end > max - MARGIN) return max - MARGIN - end;
    return 0;
  };
  const dx = shift(box.left, box.right, pane.left, pane.right);
  const dy = shift(box.top, box.bottom, pane.top, pane.bottom);
  if (dx === 0 && dy === 0) return;
  const viewport = flow.getViewport();
  void flow.setViewport({ x: viewport.x + dx, y: viewport.y + dy, zoom: viewport.zoom }, { duration: 200 });
}

/** Below this zoom nodes are unreadable: a big workflow opens on its event instead of fitting. */
const MIN_FIT_ZOOM = 0.5;
const BIG_WORKFLOW_ZOOM = 0.8;

/**
 * The first view of a workflow: at 100% with the event near the top when everything fits (the chain
 * grows downwards); zoomed out to fit when that stays readable; else readable, starting at the event.
 */
export function initialView(flow: Flow) {
  const pane = paneOf();
  const nodes = flow.getNodes();
  if (!pane || nodes.length === 0) return;
  const bounds = getNodesBounds(nodes);
  const fitZoom = Math.min((pane.width - 2 * MARGIN) / bounds.width, (pane.height - 2 * MARGIN) / bounds.height);
  if (fitZoom >= 1) {
    void flow.setViewport({ x: pane.width / 2 - (bounds.x + bounds.width / 2), y: MARGIN - bounds.y, zoom: 1 });
    return;
  }
  if (fitZoom >= MIN_FIT_ZOOM) {
    void flow.fitView({ padding: 0.1, maxZoom: 1 });
    return;
  }
  const event = nodes.find((n) => n.type !== 'action') ?? nodes[0]!;
  const width = event.measured?.width ?? 260;
  const zoom = BIG_WORKFLOW_ZOOM;
  void flow.setViewport({
    x: pane.width / 2 - (event.position.x + width / 2) * zoom,
    y: MARGIN - event.position.y * zoom,
    zoom,
  });
}
