-- Crypto-shredding of raw mail on PostgreSQL. A deleted or overwritten row
-- stays readable in the table's pages until they are reused, in the WAL and
-- in every backup, so on PostgreSQL raw mail is never written in the
-- clear: each mail is sealed (AES-256-GCM) under a key of its own, held in
-- data_keys and named by the row's raw_key. Dropping the bytes (retention,
-- an erased AnyDesk ID) or the row (forget) deletes the key in the same
-- transaction, through the triggers below, so no code path can forget to:
-- what is left anywhere is ciphertext without a key. owner is a keyed hash
-- of the customer's address (the sender of incoming mail, the recipient of
-- outgoing mail): forget deletes every key of a customer by it.
CREATE TABLE data_keys (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner      TEXT NOT NULL,
    key        BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX data_keys_owner ON data_keys (owner);

ALTER TABLE incoming ADD COLUMN raw_key BIGINT;
ALTER TABLE outbox ADD COLUMN raw_key BIGINT;

-- Bytes dropped or resealed under a new key: the old key goes.
CREATE FUNCTION mailflow_shred_replaced_raw() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.raw_key IS NOT NULL AND (NEW.raw IS NULL OR length(NEW.raw) = 0 OR NEW.raw_key IS DISTINCT FROM OLD.raw_key) THEN
        DELETE FROM data_keys WHERE id = OLD.raw_key;
        IF NEW.raw IS NULL OR length(NEW.raw) = 0 THEN
            NEW.raw_key := NULL;
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER incoming_shred_raw BEFORE UPDATE OF raw, raw_key ON incoming
    FOR EACH ROW EXECUTE FUNCTION mailflow_shred_replaced_raw();
CREATE TRIGGER outbox_shred_raw BEFORE UPDATE OF raw, raw_key ON outbox
    FOR EACH ROW EXECUTE FUNCTION mailflow_shred_replaced_raw();

-- A row deleted (forget): its key goes.
CREATE FUNCTION mailflow_shred_deleted_raw() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.raw_key IS NOT NULL THEN
        DELETE FROM data_keys WHERE id = OLD.raw_key;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER incoming_shred_deleted AFTER DELETE ON incoming
    FOR EACH ROW EXECUTE FUNCTION mailflow_shred_deleted_raw();
CREATE TRIGGER outbox_shred_deleted AFTER DELETE ON outbox
    FOR EACH ROW EXECUTE FUNCTION mailflow_shred_deleted_raw();
