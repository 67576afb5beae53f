-- Secrets the server uses but never shows again (webhook signing secrets first), encrypted with
-- AES-256-GCM under a key kept outside the database (SECRET_KEY or <DATA_DIR>/secret.key).
-- Workflows refer to a secret by id, so rotating its value changes no workflow.
CREATE TABLE "Secret" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "ciphertext" BLOB NOT NULL,
    "iv" BLOB NOT NULL,
    "authTag" BLOB NOT NULL,
    "keyId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);
CREATE UNIQUE INDEX "Secret_name_key" ON "Secret"("name");
