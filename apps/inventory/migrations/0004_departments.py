"""Give the departments their access to the stock ledger and the warehouse's documents."""

from django.db import migrations

from apps.accounts.departments import sync_departments


def forwards(apps, schema_editor):
    sync_departments(apps)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0003_ledger_append_only"), ("accounts", "0002_departments")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
