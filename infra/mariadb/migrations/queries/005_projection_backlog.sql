-- What GET /health shows of the read side, for the ops user, which may read this view and nothing
-- else of the read database: events parked behind a gap and records dead-lettered (not redriven),
-- as counts and times only.
CREATE OR REPLACE SQL SECURITY DEFINER VIEW projection_backlog AS
  SELECT (SELECT COUNT(*) FROM parked_events) AS parked,
         (SELECT COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(parked_at), UTC_TIMESTAMP(3)) DIV 1000, 0)
            FROM parked_events) AS oldest_parked_age_ms,
         (SELECT COUNT(*) FROM dead_letters WHERE redriven_at IS NULL) AS dead_letters,
         (SELECT MAX(created_at) FROM dead_letters WHERE redriven_at IS NULL) AS newest_dead_letter_at;
