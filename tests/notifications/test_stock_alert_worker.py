"""The issue's "Show": a product falls below safety stock (a delivery posted through the sales
services), the alert task runs in a REAL Celery worker through the real Redis, the warehouse
clerk gets exactly one notification, and a second run adds none.

The worker listens on a queue of its own, so workers started by other test runs on the same
Redis never take this test's tasks."""

import os
import uuid
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker

from apps.inventory.models import StockBalance
from apps.inventory.tasks import stock_alerts
from apps.notifications.models import Notification
from jxc.celery import app
from tests.finance.receivable_helpers import sales_world, sell

D = Decimal


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the test command's REDIS_URL")
@pytest.mark.django_db(transaction=True)
def test_the_alert_task_runs_in_a_real_worker_and_notifies_once(make_user):
    world = sales_world(make_user)  # 20 in stock at SH01, a clerk assigned to SH01
    product = world["product"]
    product.safety_stock = D("10")
    product.save(update_fields=["safety_stock"])
    other_clerk = make_user("warehouse")  # assigned to no warehouse: not told
    buyer = make_user("purchasing")
    sell(world, qty="15", deliveries=("15",))
    assert StockBalance.objects.get(product=product).qty == D("5")

    queue = f"jxc-test-{uuid.uuid4().hex[:12]}"
    queues = app.amqp.queues
    consuming = queues._consume_from  # a worker's queues=[...] narrows the app's for good: put it back after
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[queue]):
            first = stock_alerts.apply_async(queue=queue).get(timeout=60)
            second = stock_alerts.apply_async(queue=queue).get(timeout=60)
    finally:
        app.conf.task_always_eager = True
        queues._consume_from = consuming
        queues.pop(queue, None)

    assert first == {"alerts": 1, "notified": 2, "resolved": 0}  # the clerk and the buyer
    assert second == {"alerts": 1, "notified": 0, "resolved": 0}
    clerk_notes = list(Notification.objects.filter(user=world["clerk"]))
    assert len(clerk_notes) == 1
    assert clerk_notes[0].kind == "stock_low"
    assert clerk_notes[0].key == f"stock:low:{product.pk}:{world['warehouse'].pk}"
    assert Notification.objects.filter(user=buyer).count() == 1
    assert Notification.objects.filter(user=other_clerk).count() == 0
    assert Notification.objects.count() == 2
