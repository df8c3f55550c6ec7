-- Events that arrived ahead of their stream (version > applied + 1), held until the gap fills.
CREATE TABLE IF NOT EXISTS parked_events (
  stream_id VARCHAR(64) NOT NULL,
  version INT UNSIGNED NOT NULL,
  event_id CHAR(36) NOT NULL,
  envelope JSON NOT NULL,
  parked_at DATETIME(3) NOT NULL,
  PRIMARY KEY (stream_id, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Records the projection could not apply (unparseable, unknown type, invalid), with the reason
-- and the raw record, so they never block their partition and can be redriven after a fix.
CREATE TABLE IF NOT EXISTS dead_letters (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  topic VARCHAR(249) NOT NULL,
  partition_no INT NOT NULL,
  offset_no BIGINT NOT NULL,
  record_key VARBINARY(1024) NULL,
  record_value MEDIUMBLOB NULL,
  headers JSON NOT NULL,
  reason_code VARCHAR(64) NOT NULL,
  reason VARCHAR(2000) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  redriven_at DATETIME(3) NULL,
  UNIQUE KEY uq_dead_letters_record (topic, partition_no, offset_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
