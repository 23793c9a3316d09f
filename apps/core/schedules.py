"""Default schedules of the periodic jobs, for data migrations: django-celery-beat rows that
an administrator may then change in the admin (Periodic tasks)."""

from __future__ import annotations

import json

from django.conf import settings


def ensure_periodic_tasks(apps, tasks) -> None:
    """Create each ``(name, task, schedule)`` of ``tasks`` unless a periodic task of that name
    exists (an edited schedule is kept). ``schedule``: ``{"interval": (every, period)}`` or
    ``{"crontab": (minute, hour)}`` or ``{"crontab": (minute, hour, day_of_week)}``, in the
    company's time zone."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, schedule in tasks:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        fields = {}
        if "interval" in schedule:
            every, period = schedule["interval"]
            fields["interval"], _created = IntervalSchedule.objects.get_or_create(every=every, period=period)
        else:
            minute, hour, day_of_week = (*schedule["crontab"], "*")[:3]
            fields["crontab"] = CrontabSchedule.objects.filter(
                minute=minute, hour=hour, day_of_week=day_of_week, day_of_month="*", month_of_year="*"
            ).first() or CrontabSchedule.objects.create(
                minute=minute,
                hour=hour,
                day_of_week=day_of_week,
                day_of_month="*",
                month_of_year="*",
                timezone=settings.TIME_ZONE,
            )
        PeriodicTask.objects.create(name=name, task=task, args=json.dumps([]), kwargs=json.dumps({}), **fields)


def remove_periodic_tasks(apps, tasks) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[t[0] for t in tasks]).delete()


def periodic_tasks_operation(tasks):
    """A data migration's operation creating ``tasks`` (``ensure_periodic_tasks``) and, when
    reversed, removing them."""
    from django.db import migrations

    return migrations.RunPython(
        lambda apps, schema_editor: ensure_periodic_tasks(apps, tasks),
        lambda apps, schema_editor: remove_periodic_tasks(apps, tasks),
    )
