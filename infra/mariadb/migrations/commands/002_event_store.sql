-- Append-only event store: the command user may only SELECT and INSERT here (see infra/mariadb/users.ts).
-- position is the global order of commits' inserts; (stream_id, version) is the optimistic-concurrency guard.
CREATE TABLE IF NOT EXISTS events (
  position BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id CHAR(36) NOT NULL,
  stream_id VARCHAR(64) NOT NULL,
  version INT UNSIGNED NOT NULL,
  type VARCHAR(100) NOT NULL,
  data JSON NOT NULL,
  metadata JSON NOT NULL,
  occurred_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_events_event_id (event_id),
  UNIQUE KEY uq_events_stream_version (stream_id, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Transactional outbox: one row per event not yet confirmed published, written in the same
-- transaction as the event and deleted once the broker acknowledged it.
CREATE TABLE IF NOT EXISTS outbox (
  position BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  stream_id VARCHAR(64) NOT NULL,
  version INT UNSIGNED NOT NULL,
  created_at DATETIME(3) NOT NULL,
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  last_error VARCHAR(1000) NULL,
  KEY ix_outbox_stream_version (stream_id, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The first answer to each Idempotency-Key, committed with the events it caused.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  idempotency_key VARCHAR(255) NOT NULL PRIMARY KEY,
  request_hash CHAR(64) NOT NULL,
  status_code SMALLINT UNSIGNED NOT NULL,
  response_body JSON NOT NULL,
  created_at DATETIME(3) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
