import { z } from 'zod';
import { WorkflowGraph } from './graph.ts';
import { parseStoredGraph } from './migrations.ts';
import { WorkflowLabel, WorkflowName } from './names.ts';

/**
 * A workflow as exported to and imported from a JSON file (`switchyard export` / `import`).
 * Version 2 holds a version-2 graph; version-1 files (graphs of schema version 1) still import:
 * their graph is migrated on the way in.
 */
export const WORKFLOW_FILE_FORMAT = 'switchyard.workflow';
export const WORKFLOW_FILE_VERSION = 2;

export const WorkflowFile = z.object({
  format: z.literal(WORKFLOW_FILE_FORMAT),
  formatVersion: z.literal(WORKFLOW_FILE_VERSION),
  name: WorkflowName,
  label: WorkflowLabel,
  graph: WorkflowGraph,
});
export type WorkflowFile = z.infer<typeof WorkflowFile>;

/** Reads a file of any format version into the current one. */
export function parseWorkflowFile(raw: unknown): z.ZodSafeParseResult<WorkflowFile> {
  const head = z
    .object({ format: z.literal(WORKFLOW_FILE_FORMAT), formatVersion: z.union([z.literal(1), z.literal(2)]), name: WorkflowName, label: WorkflowLabel, graph: z.unknown() })
    .safeParse(raw);
  if (!head.success) return head as unknown as z.ZodSafeParseResult<WorkflowFile>;
  const graph = parseStoredGraph(head.data.graph);
  if (!graph.success) {
    return {
      success: false,
      error: new z.ZodError(graph.error.issues.map((issue) => ({ ...issue, path: ['graph', ...issue.path] }))),
    } as z.ZodSafeParseResult<WorkflowFile>;
  }
  return WorkflowFile.safeParse({ ...head.data, formatVersion: WORKFLOW_FILE_VERSION, graph: graph.data });
}
