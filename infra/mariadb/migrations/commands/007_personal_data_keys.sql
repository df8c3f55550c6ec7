-- One data key per stream for its personal fields (lib/personal-data/), wrapped by the local
-- master key or by KMS (wrapped_by). Erasure sets wrapped_key to NULL in the transaction of the
-- erasure event and keeps the row as a tombstone, so no new key is ever made for that stream.
CREATE TABLE IF NOT EXISTS personal_data_keys (
  stream_id VARCHAR(64) NOT NULL PRIMARY KEY,
  wrapped_key VARBINARY(1024) NULL,
  wrapped_by VARCHAR(16) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  erased_at DATETIME(3) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
