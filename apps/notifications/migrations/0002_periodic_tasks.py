"""The default schedules of the notification jobs (django-celery-beat rows, editable in the
admin): stock alerts hourly, overdue receivables daily at 08:00, the nightly checks at 02:00.
Existing rows of the same name are left as they are."""

import json

from django.conf import settings
from django.db import migrations

TASKS = [
    # name, task, schedule
    ("Stock alerts (hourly)", "inventory.stock_alerts", {"interval": (1, "hours")}),
    ("Overdue receivables (daily 08:00)", "finance.overdue_receivables", {"crontab": ("0", "8")}),
    ("Nightly checks: stock and books (02:00)", "core.nightly_checks", {"crontab": ("0", "2")}),
]


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, schedule in TASKS:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        fields = {}
        if "interval" in schedule:
            every, period = schedule["interval"]
            fields["interval"], _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        else:
            minute, hour = schedule["crontab"]
            fields["crontab"] = CrontabSchedule.objects.filter(
                minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*"
            ).first() or CrontabSchedule.objects.create(
                minute=minute,
                hour=hour,
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone=settings.TIME_ZONE,
            )
        PeriodicTask.objects.create(name=name, task=task, args=json.dumps([]), kwargs=json.dumps({}), **fields)


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _task, _schedule in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
