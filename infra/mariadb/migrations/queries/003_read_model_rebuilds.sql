-- Read-model rebuilds (npm run replay): where a rebuild has got to, so an interrupted one resumes.
CREATE TABLE IF NOT EXISTS read_model_rebuilds (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  status ENUM('running', 'swapped') NOT NULL,
  checkpoint BIGINT UNSIGNED NOT NULL DEFAULT 0,
  events_applied BIGINT UNSIGNED NOT NULL DEFAULT 0,
  started_at DATETIME(3) NOT NULL,
  swapped_at DATETIME(3) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
