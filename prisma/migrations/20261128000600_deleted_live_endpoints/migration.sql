-- A workflow deleted while it stays live keeps the endpoint settings it was saved with (JSON):
-- locking an endpoint down, then deleting the workflow, must not reopen it until the next deploy.
CREATE TABLE "DeletedLiveEndpoint" (
    "workflowId" TEXT NOT NULL PRIMARY KEY,
    "endpoint" TEXT NOT NULL,
    "deletedAt" DATETIME NOT NULL
);
