-- Deploys per workflow: a release stays a complete snapshot of what is live, and now says how it
-- was made (every workflow, some of them, a restore of an earlier release, or workflows taken off
-- live), by whom (the account's id next to the email already kept), an optional note, and which
-- workflows it added, changed or removed compared with the release before it.
ALTER TABLE "Release" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'all';
ALTER TABLE "Release" ADD COLUMN "restoredFrom" INTEGER;
ALTER TABLE "Release" ADD COLUMN "note" TEXT;
ALTER TABLE "Release" ADD COLUMN "createdById" TEXT;
-- JSON {"added":[{"workflowId","name"}],"changed":[...],"removed":[...]}; null for releases made
-- before it was recorded.
ALTER TABLE "Release" ADD COLUMN "changes" TEXT;

-- The saved revision of the workflow an entry was compiled from (null: made before it was
-- recorded), so the workflow list can say whether the live version is the saved one.
ALTER TABLE "ReleaseWorkflow" ADD COLUMN "sourceRevision" INTEGER;
