-- Optional audit of the projection (PROJECTION_AUDIT=applied): one row per event applied to the
-- read model, written in the same transaction as the change it made, so an event applied twice
-- shows as two rows. Off by default; the fault-injection suite turns it on to count double applies.
-- No unique key on purpose: a unique event_id would hide the very thing it is there to count.
CREATE TABLE IF NOT EXISTS applied_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id CHAR(36) NOT NULL,
  stream_id VARCHAR(64) NOT NULL,
  version INT UNSIGNED NOT NULL,
  partition_no INT NOT NULL,
  offset_no BIGINT NOT NULL,
  applied_at DATETIME(3) NOT NULL,
  KEY ix_applied_events_event (event_id),
  KEY ix_applied_events_offset (partition_no, offset_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
