"""``manage.py load_demo``: load the demo company (apps/core/demo.py) unless it is already there."""

from django.core.management.base import BaseCommand, CommandError

from apps.core.demo import DemoConflict, credentials_table, load_demo


class Command(BaseCommand):
    help = (
        "Load a demo company: 3 warehouses, a few hundred products, suppliers, customers and one user "
        "per department (all with the same password). Does nothing if the demo is already loaded."
    )

    def handle(self, *args, **options):
        try:
            result = load_demo()
        except DemoConflict as exc:
            raise CommandError(str(exc)) from exc
        if result.created:
            self.stdout.write(self.style.SUCCESS("Demo company loaded:"))
        else:
            self.stdout.write("demo company already loaded:")
        for name, count in result.counts.items():
            self.stdout.write(f"  {name:<18} {count:>5}")
        self.stdout.write("\nDemo logins:")
        for line in credentials_table():
            self.stdout.write(f"  {line}")
