-- Which aggregate each stream belongs to (its definition's streamType), recorded with every event
-- and outbox row and carried in the Kafka envelope, so the projection dispatches on it. NULL on
-- events stored before it was recorded: each aggregate's own migration fills in its streams, and
-- readers fall back to the aggregate that owns the event's type.
ALTER TABLE events ADD COLUMN IF NOT EXISTS stream_type VARCHAR(64) NULL AFTER stream_id;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS stream_type VARCHAR(64) NULL AFTER stream_id;
