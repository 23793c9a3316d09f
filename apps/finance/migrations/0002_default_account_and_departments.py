"""A default cash account (payments that name no account use it) and the departments' access
to purchasing and payables."""

from django.db import migrations

from apps.accounts.departments import sync_departments
from apps.finance.seed import seed_default_cash_account


def forwards(apps, schema_editor):
    seed_default_cash_account(apps)
    sync_departments(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0001_initial"),
        ("purchasing", "0001_initial"),
        ("suppliers", "0002_historicalsupplierproduct_supplierproduct"),
        ("inventory", "0004_departments"),
        ("accounts", "0002_departments"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
