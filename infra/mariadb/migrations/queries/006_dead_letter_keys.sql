-- A dead letter keeps the whole record: a Kafka key may be longer than the 1 KiB first allowed,
-- and a key the column could not hold would make the dead letter itself fail.
ALTER TABLE dead_letters MODIFY record_key MEDIUMBLOB NULL;
