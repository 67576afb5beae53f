import { z } from 'zod';
import { WorkflowGraph } from './graph.ts';
import { WorkflowLabel, WorkflowName } from './names.ts';

/** A workflow as exported to and imported from a JSON file (`switchyard export` / `import`). */
export const WORKFLOW_FILE_FORMAT = 'switchyard.workflow';

export const WorkflowFile = z.object({
  format: z.literal(WORKFLOW_FILE_FORMAT),
  formatVersion: z.literal(1),
  name: WorkflowName,
  label: WorkflowLabel,
  graph: WorkflowGraph,
});
export type WorkflowFile = z.infer<typeof WorkflowFile>;
