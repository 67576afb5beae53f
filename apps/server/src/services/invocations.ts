import { compile, readInputs } from '@switchyard/workflow';
import type { Db } from '../db/index.ts';
import type { RunRequest } from '../runner/runner.ts';
import { badRequest, notFound } from './errors.ts';
import { liveDefinition } from './releases.ts';
import type { Environment } from './runs.ts';
import { findWorkflowByName } from './workflows.ts';

/**
 * Turns a call of a generated endpoint into a run request: finds the definition (the saved draft,
 * compiled now, or the latest release's), and validates the body against its parameters. Every
 * refusal is an AppError naming what is wrong; nothing is written here.
 */
export async function prepareInvocation(db: Db, environment: Environment, name: string, body: unknown): Promise<RunRequest> {
  const target = environment === 'live' ? await findLive(db, name) : await findDraft(db, name);
  const inputs = readInputs(target.definition.trigger.parameters, body);
  if (!inputs.ok) throw badRequest(inputs.errors.map((e) => e.message).join('; '), { errors: inputs.errors });
  return { ...target, environment, input: body ?? {}, params: inputs.values };
}

async function findDraft(db: Db, name: string) {
  const workflow = await findWorkflowByName(db, name);
  if (!workflow) throw notFound(`No workflow called "${name}"`);
  const { definition, diagnostics } = compile(workflow.name, workflow.graph);
  if (!definition) {
    throw badRequest(`The draft of "${name}" has errors; fix them in the editor`, {
      diagnostics: diagnostics.filter((d) => d.severity === 'error'),
    });
  }
  return { workflowId: workflow.id, definition, releaseNumber: null };
}

async function findLive(db: Db, name: string) {
  const live = await liveDefinition(db, name);
  if (live) return live;
  if (await findWorkflowByName(db, name)) {
    throw notFound(`Workflow "${name}" is not deployed yet: deploy it, or call /version-test/api/1.1/wf/${name} to run the draft`);
  }
  throw notFound(`No workflow called "${name}"`);
}
