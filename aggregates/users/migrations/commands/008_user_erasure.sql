-- An erased user keeps its row with STATUS 'erased' and an empty NAME (UserErased).
ALTER TABLE USER_DATA MODIFY STATUS ENUM('active', 'deregistered', 'erased') NOT NULL DEFAULT 'active';
