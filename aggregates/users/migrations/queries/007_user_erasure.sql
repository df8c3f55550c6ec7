-- An erased user keeps its row with STATUS 'erased' and an empty NAME (UserErased); the query
-- function answers 410 for it and lists leave it out.
ALTER TABLE USER_DATA MODIFY STATUS ENUM('active', 'deregistered', 'erased') NOT NULL DEFAULT 'active';
