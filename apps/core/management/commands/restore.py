"""``manage.py restore FILE --database-url URL [--force]``: restore a backup into another database.

The target is a new or empty database (PostgreSQL: created when missing, loaded with
``pg_restore --no-owner``; SQLite: a new file). A target that has tables, and the running
database, are refused unless ``--force``. See docs/operations.md.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into a new (or, with --force, existing) database."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file (.dump for PostgreSQL, .sqlite3 for SQLite).")
        parser.add_argument(
            "--database-url",
            required=True,
            help="The target, e.g. postgres://user:pw@host:5432/jxc_restored or sqlite:////path/restored.sqlite3.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Replace the contents of a non-empty target (or the running database)."
        )

    def handle(self, *args, file: str, database_url: str, force: bool = False, **options):
        try:
            result = backup_restore(source=file, database_url=database_url, force=force)
        except BackupError as exc:
            raise CommandError(_("Restore failed: %(reason)s") % {"reason": exc}, returncode=1) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored %(file)s into %(database)s (%(tables)s tables).")
                % {"file": result.source.name, "database": result.database, "tables": result.tables}
            )
            + f" [{result.seconds} s]"
        )
        self.stdout.write(
            _("Check it with DATABASE_URL=<the URL>: migrate --check, check_stock, check_books (docs/operations.md)")
        )
