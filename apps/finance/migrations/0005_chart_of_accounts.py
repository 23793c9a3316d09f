"""The seeded chart of accounts (小企业会计准则), income/expense categories, cash accounts
pointed at their ledger accounts with their balances, and the departments' access to the books."""

from django.db import migrations

from apps.accounts.departments import sync_departments
from apps.finance.chart import seed_chart


def forwards(apps, schema_editor):
    seed_chart(apps)
    CashAccount = apps.get_model("finance", "CashAccount")
    for account in CashAccount.objects.all():
        account.balance = account.opening_balance
        account.save(update_fields=["balance"])
    sync_departments(apps)


class Migration(migrations.Migration):
    dependencies = [("finance", "0004_general_ledger_and_cash")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
