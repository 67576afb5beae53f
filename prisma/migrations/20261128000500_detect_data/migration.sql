-- "Detect data": a builder waits for one sample request to a workflow's draft endpoint
-- (POST /version-test/api/1.1/wf/<name>/initialize). One row per workflow; the capture fills
-- `sample` once (a conditional update, so two racing requests cannot both be taken), and the row
-- stays until the builder closes the dialog or opens it again. Not a foreign key to Workflow: an
-- orphan left by a deleted workflow only answers 404 and expires in minutes.
CREATE TABLE "DetectSession" (
    "workflowId" TEXT NOT NULL PRIMARY KEY,
    "openedBy" TEXT NOT NULL,
    "includeHeaders" BOOLEAN NOT NULL DEFAULT false,
    "openedAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "sample" TEXT,
    "capturedAt" DATETIME
);
