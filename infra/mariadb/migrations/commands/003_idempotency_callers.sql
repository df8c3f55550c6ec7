-- An Idempotency-Key belongs to the caller that sent it (the IAM principal deployed, the token's
-- caller locally, '' when commands need no authentication), so one caller's key never answers
-- another's request. Keys expire (COMMAND_IDEMPOTENCY_TTL_HOURS); the janitor deletes expired
-- ones oldest first, through the created_at index.
ALTER TABLE idempotency_keys
  ADD COLUMN IF NOT EXISTS caller VARCHAR(255) NOT NULL DEFAULT '' FIRST,
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (caller, idempotency_key),
  ADD INDEX IF NOT EXISTS ix_idempotency_keys_created_at (created_at);
