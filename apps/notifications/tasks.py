"""Celery tasks of the notification centre: thin wrappers around apps.notifications.services.

Every job is idempotent (a second run notifies nobody twice: see ``notify``), has a soft and a
hard time limit, and retries transient failures (database connection lost, Redis unreachable)
with exponential backoff. Schedules: migration 0002 (django-celery-beat, editable in the admin).
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from . import services

TRANSIENT_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError, BrokerError)

# Shared by every job of issue 7: retry transient failures 5 times, 2 s, 4 s, … up to 5 min apart.
JOB_OPTIONS = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
}


@shared_task(name="finance.overdue_receivables", soft_time_limit=5 * 60, time_limit=6 * 60, **JOB_OPTIONS)
def overdue_receivables() -> dict:
    """Daily: tell finance and the salesperson of receivables past due."""
    return services.notify_overdue_receivables()


@shared_task(name="core.nightly_checks", soft_time_limit=30 * 60, time_limit=35 * 60, **JOB_OPTIONS)
def nightly_checks() -> dict:
    """Nightly: check_stock + check_books; IT admin and management are told of any failure."""
    return services.run_nightly_checks()
