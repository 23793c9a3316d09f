"""The README's first command runs the demo company on SQLite (no database server): migrate
and load_demo must work there too, and leave the books consistent: the stock and open-item
checks, check_books, no cash account below zero, a balanced trial balance and balance sheet.
SQLite keeps decimals in floating point, so arithmetic done in SQL can differ from PostgreSQL's
(a reserved quantity a hair below zero once broke ``make run``; a journal entry's debits once
differed from its credits in the twelfth decimal); this runs the real commands in a fresh
SQLite file."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxc.settings")
django.setup()
import datetime
from apps.finance import statements
from apps.finance.books import check_books
from apps.finance.cash import cash_journal
from apps.finance.checks import check_payables, check_receivables
from apps.finance.models import CashAccount, JournalEntry
from apps.inventory.selectors import STOCK_CHECKS
from apps.sales.checks import check_documents_match_receivables
from apps.sales.models import Delivery
problems = check_payables() + check_receivables() + check_documents_match_receivables()
for name, (_label, check) in STOCK_CHECKS.items():
    problems += [f"{name}: {v}" for v in check()]
problems += check_books()
for account in CashAccount.objects.all():
    _opening, rows = cash_journal(account)
    problems += [f"{account.code} below zero on {r.date}: {r.running}" for r in rows if r.running < 0]
trial = statements.trial_balance(date_to=datetime.date(2999, 12, 31))
if trial["total_debit"] != trial["total_credit"]:
    problems.append(f"trial balance: {trial['total_debit']} != {trial['total_credit']}")
if not statements.balance_sheet(date=datetime.date(2999, 12, 31))["balanced"]:
    problems.append("the balance sheet does not balance")
entries = JournalEntry.objects.filter(status="posted").count()
print(Delivery.objects.filter(status="posted").count(), len(problems), entries)
for problem in problems[:10]:
    print(problem)
"""


def test_the_demo_loads_on_sqlite_with_the_books_consistent(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("REDIS_URL", None)

    def run(*args):
        return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)

    for command in (["manage.py", "migrate", "--noinput", "-v0"], ["manage.py", "load_demo"]):
        result = run(*command)
        assert result.returncode == 0, result.stderr[-3000:]
    result = run("-c", CHECK)
    assert result.returncode == 0, result.stderr[-3000:]
    deliveries, problems, entries = map(int, result.stdout.split("\n")[0].split())
    assert deliveries > 0
    assert entries > deliveries  # every posting wrote its journal entry
    assert problems == 0, result.stdout
