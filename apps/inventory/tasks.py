"""Celery tasks of the inventory: thin wrappers around services."""

from celery import shared_task

from apps.notifications.services import notify_stock_alerts
from apps.notifications.tasks import JOB_OPTIONS


@shared_task(name="inventory.stock_alerts", soft_time_limit=10 * 60, time_limit=12 * 60, **JOB_OPTIONS)
def stock_alerts() -> dict:
    """Hourly: alert purchasing and the warehouse's clerks of stock below safety stock, above max
    stock or not moving (apps/inventory/alerts.py); idempotent per open condition."""
    return notify_stock_alerts()
