"""``manage.py check_stock``: verify every stock invariant (apps/inventory/selectors.py).

Exit code 0 and one line when all hold; otherwise a report of the first violations of each
kind with their counts, and exit code 1. ``--json`` prints the same as one JSON object.
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from apps.inventory.selectors import STOCK_CHECKS, stock_counts, stock_violations


class Command(BaseCommand):
    help = "Verify the stock ledger's invariants; exit code 1 and a report on any violation."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the result as JSON.")
        parser.add_argument(
            "--limit", type=int, default=50, help="Violations listed per kind (all are counted). Default 50."
        )

    def handle(self, *args, as_json: bool = False, limit: int = 50, **options):
        started = time.monotonic()
        balances, entries = stock_counts()
        found = stock_violations(limit=max(limit, 0))
        seconds = round(time.monotonic() - started, 3)
        total = sum(violations.total for violations in found.values())
        if as_json:
            self._print_json(found, balances=balances, entries=entries, total=total, seconds=seconds)
        elif total == 0:
            self.stdout.write(
                self.style.SUCCESS(f"All stock invariants hold ({balances} balances, {entries} entries).")
                + f" [{seconds} s]"
            )
        else:
            self._print_report(found, balances=balances, entries=entries, total=total)
        if total:
            raise CommandError(f"{total} stock invariant violation(s).", returncode=1)

    def _print_json(self, found, *, balances, entries, total, seconds):
        checks = {
            kind: {
                "label": STOCK_CHECKS[kind][0],
                "count": violations.total,
                "violations": [violation.as_dict() for violation in violations],
            }
            for kind, violations in found.items()
        }
        result = {
            "ok": total == 0,
            "balances": balances,
            "entries": entries,
            "violations": total,
            "seconds": seconds,
            "checks": checks,
        }
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _print_report(self, found, *, balances, entries, total):
        write = self.stdout.write
        write(self.style.ERROR(f"Stock invariants violated: {total} ({balances} balances, {entries} entries checked)"))
        for kind, violations in found.items():
            if not violations.total:
                continue
            write("")
            write(self.style.WARNING(f"{STOCK_CHECKS[kind][0]} [{kind}]: {violations.total}"))
            for v in violations:
                entry = f"  entry #{v.entry_id}" if v.entry_id is not None else ""
                write(f"  {v.sku}  {v.warehouse_code}{entry}")
                write(f"      expected: {v.expected}")
                write(f"      found:    {v.found}")
            if violations.total > len(violations):
                write(f"  ... and {violations.total - len(violations)} more")
