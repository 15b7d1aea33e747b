-- The key a PostgreSQL database seals a mail's raw bytes under (see
-- migrations/postgres/0040_data_keys.sql). SQLite keeps raw mail in the
-- clear and erases it with secure_delete, so here the column stays NULL;
-- it exists so both engines run the same statements.
ALTER TABLE incoming ADD COLUMN raw_key INTEGER;
ALTER TABLE outbox ADD COLUMN raw_key INTEGER;
