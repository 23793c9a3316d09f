"""notify(), resolving, preferences and e-mail, and the three jobs' recipients and numbers."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from apps.inventory.models import StockBalance
from apps.notifications import services
from apps.notifications.models import Notification, NotificationPreference
from apps.notifications.selectors import notifications_for, unread_count
from tests.factories import ProductFactory, WarehouseFactory
from tests.finance.receivable_helpers import TODAY, sales_world, sell
from tests.inventory.ledger_helpers import post

pytestmark = pytest.mark.django_db

D = Decimal


def _keys(user):
    return sorted(Notification.objects.filter(user=user).values_list("key", flat=True))


def test_notify_writes_one_per_member_and_is_idempotent(make_user, django_capture_on_commit_callbacks):
    a, b = make_user("finance"), make_user("finance")
    other = make_user("sales")
    extra = make_user("warehouse")
    created = services.notify(kind="books_check", key="k:1", title="T", departments=["finance"], users=[extra.pk])
    assert created == sorted([a.pk, b.pk, extra.pk])
    again = services.notify(kind="books_check", key="k:1", title="T", departments=["finance"], users=[extra])
    assert again == []
    assert Notification.objects.filter(key="k:1").count() == 3
    assert Notification.objects.filter(user=other).count() == 0
    assert unread_count(user=a) == 1


def test_resolving_frees_the_key(make_user):
    user = make_user("finance")
    services.notify(kind="books_check", key="x:1", title="first", users=[user])
    services.notify(kind="books_check", key="x:2", title="other", users=[user])
    assert services.notifications_resolve(prefix="x:", keep={"x:2"}) == 1
    assert services.notify(kind="books_check", key="x:1", title="again", users=[user]) == [user.pk]
    assert services.notify(kind="books_check", key="x:2", title="still open", users=[user]) == []
    assert list(notifications_for(user=user).values_list("title", flat=True)) == ["again", "other", "first"]


def test_preferences_choose_in_app_and_email(make_user, django_capture_on_commit_callbacks):
    default, mailed, silent, mail_only = (make_user("finance") for _ in range(4))
    services.preference_set(user=mailed, kind="books_check", in_app=True, email=True)
    services.preference_set(user=silent, kind="books_check", in_app=False, email=False)
    services.preference_set(user=mail_only, kind="books_check", in_app=False, email=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = services.notify(kind="books_check", key="c:1", title="Check failed", body="3 problems", url="/x/")
        created = services.notify(
            kind="books_check", key="c:1", title="Check failed", body="3 problems", url="/x/", departments=["finance"]
        )
    assert created == sorted([default.pk, mailed.pk, mail_only.pk])
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mailed.email, mail_only.email])
    assert mail.outbox[0].subject == "[JXC] Check failed"
    assert mail.outbox[0].body.startswith("3 problems")
    # the e-mail-only user has the row (it is what makes the job idempotent) but not in the app
    assert unread_count(user=mail_only) == 0 and unread_count(user=mailed) == 1 and unread_count(user=silent) == 0
    # a second run sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(kind="books_check", key="c:1", title="Check failed", departments=["finance"])
    assert len(mail.outbox) == 2
    # other kinds keep their defaults
    assert NotificationPreference.objects.count() == 3


def test_marking_read(make_user):
    user, other = make_user("finance"), make_user("finance")
    for n in range(3):
        services.notify(kind="books_check", key=f"r:{n}", title=str(n), users=[user, other])
    first = notifications_for(user=user).last()
    services.notification_mark_read(notification=first, user=user)
    read_at = Notification.objects.get(pk=first.pk).read_at
    services.notification_mark_read(notification=first, user=user)  # again: unchanged
    assert Notification.objects.get(pk=first.pk).read_at == read_at
    with pytest.raises(Notification.DoesNotExist):
        services.notification_mark_read(notification=first, user=other)
    assert unread_count(user=user) == 2
    assert services.notifications_mark_all_read(user=user) == 2
    assert unread_count(user=user) == 0 and unread_count(user=other) == 3


@pytest.fixture
def stock(make_user):
    a, b = WarehouseFactory(code="A"), WarehouseFactory(code="B")
    people = {
        "clerk_a": make_user("warehouse", warehouses=[a]),
        "clerk_b": make_user("warehouse", warehouses=[b]),
        "clerk_none": make_user("warehouse"),
        "boss_clerk": make_user("warehouse", "management"),
        "buyer": make_user("purchasing"),
        "manager": make_user("management"),
        "seller": make_user("sales"),
    }
    low = ProductFactory(sku="LOW", safety_stock=D("10"), max_stock=D("100"))
    over = ProductFactory(sku="OVER", max_stock=D("20"))
    today = datetime.date(2026, 11, 30)
    post(people["manager"], (low, a, 4, 1), (low, b, 50, 1), (over, b, 30, 1), date=today)
    return {"a": a, "b": b, "low": low, "over": over, "today": today, **people}


def test_stock_alerts_go_to_purchasing_and_the_warehouse_clerks(stock):
    result = services.notify_stock_alerts(today=stock["today"])
    # LOW is low in A; OVER is over in B. A: clerk_a, boss_clerk, buyer; B: clerk_b, boss_clerk, buyer.
    assert result == {"alerts": 2, "notified": 6, "resolved": 0}
    low_a = f"stock:low:{stock['low'].pk}:{stock['a'].pk}"
    over_b = f"stock:over:{stock['over'].pk}:{stock['b'].pk}"
    assert _keys(stock["clerk_a"]) == [low_a]
    assert _keys(stock["clerk_b"]) == [over_b]
    assert _keys(stock["boss_clerk"]) == sorted([low_a, over_b])
    assert _keys(stock["buyer"]) == sorted([low_a, over_b])
    for name in ("clerk_none", "manager", "seller"):
        assert _keys(stock[name]) == []
    note = Notification.objects.get(user=stock["clerk_a"])
    assert note.kind == "stock_low"
    assert "LOW" in note.title and "A" in note.title
    assert note.url == f"/inventory/stock/card/?product={stock['low'].pk}&warehouse={stock['a'].pk}"
    # a second run adds none
    assert services.notify_stock_alerts(today=stock["today"]) == {"alerts": 2, "notified": 0, "resolved": 0}
    assert Notification.objects.count() == 6


def test_a_product_that_recovers_and_falls_again_alerts_again(stock):
    services.notify_stock_alerts(today=stock["today"])
    post(stock["manager"], (stock["low"], stock["a"], 10, 1), date=stock["today"])  # 14 ≥ 10
    assert services.notify_stock_alerts(today=stock["today"]) == {"alerts": 1, "notified": 0, "resolved": 3}
    post(stock["manager"], (stock["low"], stock["a"], -8), date=stock["today"])  # 6 < 10
    assert services.notify_stock_alerts(today=stock["today"]) == {"alerts": 2, "notified": 3, "resolved": 0}
    assert Notification.objects.filter(user=stock["clerk_a"]).count() == 2
    assert Notification.objects.filter(user=stock["clerk_a"], resolved_at__isnull=True).count() == 1


def test_inactive_users_are_not_told(stock):
    type(stock["buyer"]).objects.filter(pk=stock["buyer"].pk).update(is_active=False)
    assert services.notify_stock_alerts(today=stock["today"])["notified"] == 4


def test_overdue_receivables_go_to_finance_and_the_salesperson(make_user):
    world = sales_world(make_user)
    first, second = sell(world)  # 904.00 and 452.00, 40 and 39 days ago, 30 days' terms
    other_finance = make_user("finance")
    result = services.notify_overdue_receivables(today=TODAY)
    assert result == {"overdue": 2, "notified": 6, "resolved": 0}
    for user in (world["finance"], other_finance, world["seller"]):
        assert Notification.objects.filter(user=user, kind="receivable_overdue").count() == 2
    for user in (world["other_seller"], world["manager"], world["clerk"]):
        assert Notification.objects.filter(user=user).count() == 0
    titles = sorted(Notification.objects.filter(user=world["seller"]).values_list("body", flat=True))
    assert titles == [
        "¥452.00 outstanding, due " + (TODAY - datetime.timedelta(days=9)).isoformat() + " (9 days overdue).",
        "¥904.00 outstanding, due " + (TODAY - datetime.timedelta(days=10)).isoformat() + " (10 days overdue).",
    ]
    assert services.notify_overdue_receivables(today=TODAY)["notified"] == 0
    # not yet overdue 11 days earlier
    Notification.objects.all().delete()
    assert services.notify_overdue_receivables(today=TODAY - datetime.timedelta(days=11)) == {
        "overdue": 0,
        "notified": 0,
        "resolved": 0,
    }


def test_nightly_checks_tell_it_and_management_only_on_failure(make_user):
    it, manager, clerk = make_user("it_admin"), make_user("management"), make_user("warehouse")
    assert services.run_nightly_checks(today=TODAY) == {"stock": 0, "books": 0, "notified": 0}
    product, warehouse = ProductFactory(sku="CHK"), WarehouseFactory(code="W")
    # a bare ledger posting (no document, no journal entry): the books no longer match the stock
    post(manager, (product, warehouse, 5, 2))
    result = services.run_nightly_checks(today=TODAY)
    assert result["stock"] == 0 and result["books"] >= 1 and result["notified"] == 2
    assert set(Notification.objects.values_list("user", flat=True)) == {it.pk, manager.pk}
    assert services.run_nightly_checks(today=TODAY)["notified"] == 0  # once a day
    StockBalance.objects.filter(product=product).update(qty=D("7"))  # the balance no longer equals its entries
    tomorrow = TODAY + datetime.timedelta(days=1)
    result = services.run_nightly_checks(today=tomorrow)
    assert result["stock"] >= 1 and result["notified"] == 2
    assert "CHK@W" in Notification.objects.get(user=it, key=f"checks:{tomorrow}").body
    assert Notification.objects.filter(kind="books_check").count() == 4
    assert Notification.objects.filter(user=clerk).count() == 0
