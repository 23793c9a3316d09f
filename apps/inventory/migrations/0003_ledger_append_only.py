"""The stock ledger is append-only, and the database itself says so: UPDATE and DELETE on
inventory_stockledgerentry raise an error on PostgreSQL and SQLite alike."""

from django.db import migrations

TABLE = "inventory_stockledgerentry"

POSTGRES = f"""
CREATE OR REPLACE FUNCTION jxc_refuse_ledger_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the stock ledger is append-only: % refused on {TABLE}', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER jxc_ledger_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION jxc_refuse_ledger_change();
"""
POSTGRES_REVERSE = f"""
DROP TRIGGER IF EXISTS jxc_ledger_append_only ON {TABLE};
DROP FUNCTION IF EXISTS jxc_refuse_ledger_change();
"""
SQLITE = [
    f"""CREATE TRIGGER jxc_ledger_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only: UPDATE refused'); END;""",
    f"""CREATE TRIGGER jxc_ledger_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only: DELETE refused'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS jxc_ledger_no_update;", "DROP TRIGGER IF EXISTS jxc_ledger_no_delete;"]


def forwards(apps, schema_editor):
    statements = {"postgresql": [POSTGRES], "sqlite": SQLITE}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    statements = {"postgresql": [POSTGRES_REVERSE], "sqlite": SQLITE_REVERSE}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_stock_ledger_and_documents")]

    operations = [migrations.RunPython(forwards, backwards)]
