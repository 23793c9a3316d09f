"""The default schedules of the notification jobs (django-celery-beat rows, editable in the
admin): stock alerts hourly, overdue receivables daily at 08:00, the nightly checks at 02:00.
Existing rows of the same name are left as they are."""

from django.db import migrations

from apps.core.schedules import periodic_tasks_operation

TASKS = [
    # name, task, schedule
    ("Stock alerts (hourly)", "inventory.stock_alerts", {"interval": (1, "hours")}),
    ("Overdue receivables (daily 08:00)", "finance.overdue_receivables", {"crontab": ("0", "8")}),
    ("Nightly checks: stock and books (02:00)", "core.nightly_checks", {"crontab": ("0", "2")}),
]


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [periodic_tasks_operation(TASKS)]
