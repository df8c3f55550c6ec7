-- Users' events stored before stream types were recorded (commands 005) get theirs.
UPDATE events SET stream_type = 'user'
 WHERE stream_type IS NULL AND type IN ('UserRegistered', 'UserRenamed', 'UserDeregistered');
UPDATE outbox o JOIN events e ON e.position = o.position SET o.stream_type = e.stream_type
 WHERE o.stream_type IS NULL;
