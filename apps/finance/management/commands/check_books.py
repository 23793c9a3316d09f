"""``manage.py check_books``: do the books reconcile (apps/finance/books.py)?

Exit code 0 and one line when every check holds; otherwise each failing check with its
differences, and exit code 1. ``--json`` prints the same as one JSON object.
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from apps.finance.books import run_checks


class Command(BaseCommand):
    help = "Check that the journal balances and agrees with the stock ledger and sub-ledgers; exit 1 on a difference."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the result as JSON.")

    def handle(self, *args, as_json: bool = False, **options):
        started = time.monotonic()
        results = run_checks()
        seconds = round(time.monotonic() - started, 3)
        total = sum(len(problems) for _check, problems in results)
        if as_json:
            payload = {
                "ok": total == 0,
                "seconds": seconds,
                "checks": {check.key: {"label": str(check.label), "problems": problems} for check, problems in results},
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        elif total == 0:
            self.stdout.write(self.style.SUCCESS(f"The books reconcile ({len(results)} checks).") + f" [{seconds} s]")
        else:
            for check, problems in results:
                mark = self.style.SUCCESS("ok  ") if not problems else self.style.ERROR("FAIL")
                self.stdout.write(f"{mark} {check.label}")
                for problem in problems:
                    self.stdout.write(f"       {problem}")
        if total:
            raise CommandError(f"{total} difference(s) in the books.", returncode=1)
