import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { errorCode, errorMessage, useTRPC } from '../../api/trpc.ts';
import { toast } from '../../components/toast.tsx';
import { Alert, Dialog, ErrorState, Field, LoadingBlock } from '../../components/ui.tsx';
import { plural } from '../../lib/format.ts';
import { ReleasePreviewView } from './ReleasePreviewView.tsx';

const MAX_NOTE = 500;

/** After a change to live: the workflow list, the editor's badge and the releases list read again. */
export function useInvalidateLive() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: trpc.workflow.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.release.pathKey() });
  };
}

/**
 * Deploy, confirmed: what changes per workflow compared with the live release and what is refused,
 * then an optional note. `workflow` deploys that one only; without it, every workflow.
 */
export function DeployDialog({ workflow, onClose }: { workflow?: { id: string; name: string }; onClose: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateLive();
  const noteId = useId();
  const [note, setNote] = useState('');
  const input = workflow ? { workflowIds: [workflow.id] } : {};
  const preview = useQuery({ ...trpc.release.preview.queryOptions(input), staleTime: 0, refetchOnWindowFocus: false });
  const deploy = useMutation(
    trpc.release.deploy.mutationOptions({
      onSuccess: (release) => {
        const refused = release.refused.length > 0 ? ` · not deployed: ${release.refused.map((r) => r.name).join(', ')}` : '';
        toast.success(`Deployed release #${release.number} (${plural(release.deployed.length, 'workflow')})${refused}`);
        invalidate();
        onClose();
      },
      // Someone deployed since the preview was read: show what is true now.
      onError: (error) => {
        if (errorCode(error) === 'CONFLICT') void preview.refetch();
      },
    }),
  );
  const refusedAll = workflow !== undefined && preview.data?.refused.some((r) => r.workflowId === workflow.id) === true;
  const noteError = note.length > MAX_NOTE ? `At most ${MAX_NOTE} characters` : null;
  const submit = () => {
    if (!preview.data || refusedAll || noteError) return;
    deploy.mutate({ ...input, ...(note.trim() && { note: note.trim() }), baseRelease: preview.data.baseRelease });
  };
  const label = workflow ? `Deploy ${workflow.name}` : 'Deploy all';

  return (
    <Dialog
      title={workflow ? `Deploy ${workflow.name}?` : 'Deploy all workflows?'}
      onClose={onClose}
      onSubmit={submit}
      busy={deploy.isPending}
      wide
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={deploy.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={!preview.data || refusedAll || deploy.isPending || noteError !== null}>
            {deploy.isPending ? 'Deploying…' : label}
          </button>
        </>
      }
    >
      {preview.isPending ? (
        <LoadingBlock label="Comparing with the live release…" />
      ) : preview.isError ? (
        <ErrorState title="Could not compare with the live release" error={preview.error} onRetry={() => void preview.refetch()} />
      ) : (
        <>
          <p>
            {preview.data.baseRelease === null
              ? 'Nothing is live yet: this makes release #1.'
              : workflow
                ? `Compared with release #${preview.data.baseRelease}, the live one. The other live workflows stay as they are.`
                : `Compared with release #${preview.data.baseRelease}, the live one.`}
          </p>
          <ReleasePreviewView preview={preview.data} empty="Nothing changes: the live version is the saved one." />
          {!refusedAll && (
            <Field label="Note (optional)" htmlFor={noteId} error={noteError} hint="Shown in the releases list.">
              <input id={noteId} value={note} onChange={(e) => setNote(e.target.value)} placeholder="What this deploy is for" autoComplete="off" />
            </Field>
          )}
        </>
      )}
      {deploy.isError && <Alert>{errorMessage(deploy.error)}</Alert>}
    </Dialog>
  );
}

/** Restore, confirmed: what would change compared with the live release. */
export function RestoreDialog({ number, onClose }: { number: number; onClose: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateLive();
  const preview = useQuery({ ...trpc.release.previewRestore.queryOptions({ number }), staleTime: 0, refetchOnWindowFocus: false });
  const restore = useMutation(
    trpc.release.restore.mutationOptions({
      onSuccess: (release) => {
        toast.success(`Restored release #${number} as release #${release.number}`);
        invalidate();
        onClose();
      },
    }),
  );
  return (
    <Dialog
      title={`Restore release #${number}?`}
      onClose={onClose}
      onSubmit={() => restore.mutate({ number })}
      busy={restore.isPending}
      wide
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={restore.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={!preview.data || restore.isPending}>
            {restore.isPending ? 'Restoring…' : `Restore release #${number}`}
          </button>
        </>
      }
    >
      <p>A new release is made with the workflows of release #{number}, exactly as they were then. Drafts are not changed.</p>
      {preview.isPending ? (
        <LoadingBlock label="Comparing with the live release…" />
      ) : preview.isError ? (
        <ErrorState title="Could not compare with the live release" error={preview.error} onRetry={() => void preview.refetch()} />
      ) : (
        <ReleasePreviewView preview={preview.data} empty="Nothing changes: the live release runs the same workflows." />
      )}
      {restore.isError && <Alert>{errorMessage(restore.error)}</Alert>}
    </Dialog>
  );
}

/** Takes a deleted (or any) workflow off live: a new release without it. */
export function TakeOffDialog({ workflow, onClose }: { workflow: { workflowId: string; name: string }; onClose: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateLive();
  const takeOff = useMutation(
    trpc.release.takeOffLive.mutationOptions({
      onSuccess: (release) => {
        toast.success(`${workflow.name} is off live (release #${release.number})`);
        invalidate();
        onClose();
      },
    }),
  );
  return (
    <Dialog
      title={`Take ${workflow.name} off live?`}
      onClose={onClose}
      onSubmit={() => takeOff.mutate({ workflowIds: [workflow.workflowId] })}
      busy={takeOff.isPending}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={takeOff.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={takeOff.isPending}>
            {takeOff.isPending ? 'Taking off…' : 'Take off live'}
          </button>
        </>
      }
    >
      <p>
        A new release is made without <strong className="mono">{workflow.name}</strong>: its live endpoint answers 404 from then on.
      </p>
      {takeOff.isError && <Alert>{errorMessage(takeOff.error)}</Alert>}
    </Dialog>
  );
}
