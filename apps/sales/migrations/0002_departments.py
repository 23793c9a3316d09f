"""The departments' access to sales, receivables, complaints and costs."""

from django.db import migrations

from apps.accounts.departments import sync_departments


def forwards(apps, schema_editor):
    sync_departments(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_initial"),
        ("finance", "0003_receivables_and_customer_receipts"),
        ("customers", "0002_contacts_and_complaints"),
        ("inventory", "0005_view_cost"),
        ("accounts", "0002_departments"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
