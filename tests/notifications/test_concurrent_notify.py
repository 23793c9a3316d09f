"""Two jobs notifying the same thing at the same moment write one notification per user: the
open-key unique index and ON CONFLICT DO NOTHING, not a check-then-insert."""

import threading

import pytest
from django.db import close_old_connections, connection

from apps.notifications import services
from apps.notifications.models import Notification


@pytest.mark.django_db(transaction=True)
def test_concurrent_notify_writes_one_per_user(make_user):
    users = [make_user("finance") for _ in range(5)]
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(services.notify(kind="books_check", key="race:1", title="T", departments=["finance"]))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    assert errors == []
    assert sorted(uid for created in results for uid in created) == sorted(u.pk for u in users)
    assert Notification.objects.filter(key="race:1").count() == 5
