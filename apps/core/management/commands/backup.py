"""``manage.py backup [--dir DIR] [--keep N]``: back up the database (apps/core/backup.py).

PostgreSQL: ``pg_dump --format=custom`` into ``jxc-<db>-<YYYYmmdd-HHMMSS>.dump``; SQLite: the
online backup API into ``….sqlite3``. Then only the newest N backups of that database are kept.
Prints the file and its size; exit code 1 with the reason when the backup failed.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.core.backup import BackupError, backup_create


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


class Command(BaseCommand):
    help = "Back up the database (pg_dump or SQLite's backup API) and keep the newest N backups."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", dest="directory", help=f"Backup directory (default JXC_BACKUP_DIR: {settings.JXC_BACKUP_DIR})."
        )
        parser.add_argument(
            "--keep",
            type=int,
            help=f"Backups of this database to keep (default JXC_BACKUP_KEEP: {settings.JXC_BACKUP_KEEP}).",
        )

    def handle(self, *args, directory: str | None = None, keep: int | None = None, **options):
        try:
            result = backup_create(directory=Path(directory) if directory else None, keep=keep)
        except BackupError as exc:
            raise CommandError(_("Backup failed: %(reason)s") % {"reason": exc}, returncode=1) from exc
        self.stdout.write(
            self.style.SUCCESS(f"{result.path}") + f"  {human_size(result.size)} ({result.size} B) [{result.seconds} s]"
        )
        for path in result.deleted:
            self.stdout.write(_("deleted %(name)s") % {"name": path.name})
