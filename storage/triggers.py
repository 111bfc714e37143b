"""The triggers that make the audit trail append-only in the database itself (SQLite, PostgreSQL).

An UPDATE is let through only when it is retention's erasure: once, header and hash unchanged
(storage.chain then checks that the erased content is the digest of what was there).
"""

ERASURE = (
    "OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL AND NEW.id = OLD.id"
    " AND NEW.hash = OLD.hash AND NEW.entity = OLD.entity AND NEW.entity_id = OLD.entity_id"
    " AND NEW.change = OLD.change AND NEW.at = OLD.at"
)
REFUSAL = "the audit trail is append-only"

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
    f"""CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
    WHEN NOT ({ERASURE} AND NEW.workspace_id IS OLD.workspace_id
              AND NEW.actor_id IS OLD.actor_id)
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
)
POSTGRES_TRIGGERS = (
    f"""CREATE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND {ERASURE}
           AND NEW.workspace_id IS NOT DISTINCT FROM OLD.workspace_id
           AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{REFUSAL}';
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
)
