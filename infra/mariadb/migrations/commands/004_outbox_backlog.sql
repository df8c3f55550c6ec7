-- What GET /health shows of the outbox, for the ops user, which may read this view and nothing
-- else of the write database: how many events wait for Kafka, and how long the oldest has waited.
CREATE OR REPLACE SQL SECURITY DEFINER VIEW outbox_backlog AS
  SELECT COUNT(*) AS pending,
         COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(created_at), UTC_TIMESTAMP(3)) DIV 1000, 0) AS oldest_age_ms
    FROM outbox;
