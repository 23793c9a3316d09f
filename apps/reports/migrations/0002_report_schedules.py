"""The default schedules of the report runs (django-celery-beat rows, editable in the admin):
the stock summary each morning at 06:00, the sales and purchases reports each Monday at 06:30.
Existing rows of the same name are left as they are."""

from django.db import migrations

from apps.core.schedules import periodic_tasks_operation

TASKS = [
    # name, task, schedule (minute, hour[, day of week]; 1 = Monday)
    ("Daily stock summary (06:00)", "reports.daily_stock_summary", {"crontab": ("0", "6")}),
    ("Weekly sales report (Monday 06:30)", "reports.weekly_sales", {"crontab": ("30", "6", "1")}),
    ("Weekly purchases report (Monday 06:30)", "reports.weekly_purchases", {"crontab": ("30", "6", "1")}),
]


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_report_runs"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [periodic_tasks_operation(TASKS)]
