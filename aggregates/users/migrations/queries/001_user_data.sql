-- The seed's USER_DATA table as the read model: one row per user, with the stream version
-- last applied (the projection's per-stream checkpoint). A deregistered user keeps its row
-- with STATUS 'deregistered'; the query function answers 410 for it and leaves it out of lists.
CREATE TABLE IF NOT EXISTS USER_DATA (
  ID_USER_DATA INT AUTO_INCREMENT PRIMARY KEY,
  NAME VARCHAR(255) NOT NULL,
  DATE_REGISTER VARCHAR(255) NOT NULL,
  USER_ID CHAR(36) NOT NULL,
  VERSION INT UNSIGNED NOT NULL,
  STATUS ENUM('active', 'deregistered') NOT NULL DEFAULT 'active',
  UPDATED_AT DATETIME(3) NOT NULL,
  UNIQUE KEY uq_user_data_user_id (USER_ID),
  KEY ix_user_data_list (STATUS, NAME, USER_ID)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
