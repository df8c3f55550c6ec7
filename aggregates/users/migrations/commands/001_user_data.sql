-- The seed's USER_DATA table. On the write side it holds each user's current state,
-- updated in the same transaction as the events that change it.
CREATE TABLE IF NOT EXISTS USER_DATA (
  ID_USER_DATA INT AUTO_INCREMENT PRIMARY KEY,
  NAME VARCHAR(255) NOT NULL,
  DATE_REGISTER VARCHAR(255) NOT NULL,
  USER_ID CHAR(36) NOT NULL,
  VERSION INT UNSIGNED NOT NULL,
  STATUS ENUM('active', 'deregistered') NOT NULL DEFAULT 'active',
  UNIQUE KEY uq_user_data_user_id (USER_ID)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
