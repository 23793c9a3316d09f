"""The nightly backup (task ``core.backup``) at 03:00 in the company's time zone, stored in
django-celery-beat so the schedule can be changed in the admin (Periodic tasks)."""

from django.conf import settings
from django.db import migrations

NAME = "nightly backup"


def schedule_backup(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    if not PeriodicTask.objects.filter(name=NAME).exists():
        PeriodicTask.objects.create(
            name=NAME,
            task="core.backup",
            crontab=crontab,
            description="pg_dump / SQLite backup into JXC_BACKUP_DIR, keeping JXC_BACKUP_KEEP (docs/operations.md)",
        )


def unschedule_backup(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule_backup, unschedule_backup)]
