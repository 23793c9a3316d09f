"""stock_alerts(): exact rows for low, over and slow, filters, inactive products, one query."""

import datetime
from decimal import Decimal

import pytest

from apps.inventory.alerts import stock_alerts
from tests.factories import ProductFactory, WarehouseFactory
from tests.inventory.ledger_helpers import post

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def setup(make_user):
    user = make_user("warehouse")
    a, b = WarehouseFactory(code="A"), WarehouseFactory(code="B")
    low = ProductFactory(sku="P-LOW", name="low", safety_stock=D("10"), max_stock=D("100"))
    over = ProductFactory(sku="P-OVER", name="over", safety_stock=D("1"), max_stock=D("20"))
    ok = ProductFactory(sku="P-OK", name="ok", safety_stock=D("5"), max_stock=D("50"))
    plain = ProductFactory(sku="P-PLAIN", name="plain")  # no limits: only ever slow
    gone = ProductFactory(sku="P-GONE", name="gone", safety_stock=D("10"), is_active=False)
    recent = datetime.date(2026, 11, 20)
    old = datetime.date(2026, 8, 1)  # 122 days before TODAY
    post(user, (low, a, 4, 1), date=recent)  # low in A (4 < 10)
    post(user, (low, b, 12, 1), date=recent)  # fine in B
    post(user, (over, a, 25, 1), date=old)  # over (25 > 20) and slow in A
    post(user, (ok, a, 5, 1), date=recent)  # exactly at safety stock: no alert
    post(user, (plain, b, 3, 1), date=old)  # slow in B
    post(user, (gone, a, 1, 1), date=recent)  # inactive product: ignored
    return {"a": a, "b": b, "low": low, "over": over, "plain": plain, "old": old, "recent": recent}


def _short(rows):
    return [(r["sku"], r["warehouse_code"], r["kind"], r["qty"]) for r in rows]


def test_every_kind_with_its_exact_row(setup, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = stock_alerts(today=TODAY)
    assert _short(rows) == [
        ("P-LOW", "A", "low", D("4")),
        ("P-OVER", "A", "over", D("25")),
        ("P-OVER", "A", "slow", D("25")),
        ("P-PLAIN", "B", "slow", D("3")),
    ]
    assert rows[0] == {
        "product": setup["low"].pk,
        "sku": "P-LOW",
        "name": "low",
        "warehouse": setup["a"].pk,
        "warehouse_code": "A",
        "qty": D("4"),
        "safety_stock": D("10"),
        "max_stock": D("100"),
        "kind": "low",
        "last_movement": setup["recent"],
    }
    assert rows[2]["last_movement"] == setup["old"]


def test_filters_by_kind_and_warehouse(setup):
    assert _short(stock_alerts(kinds=["low"], today=TODAY)) == [("P-LOW", "A", "low", D("4"))]
    assert _short(stock_alerts(warehouses=[setup["b"]], today=TODAY)) == [("P-PLAIN", "B", "slow", D("3"))]
    assert _short(stock_alerts(warehouses=[setup["b"].pk], kinds=["low", "over"], today=TODAY)) == []
    assert stock_alerts(kinds=[], today=TODAY) == []


def test_slow_days_sets_the_cutoff(setup, settings):
    # the old movements are 122 days before TODAY: a 122-day window keeps them, 121 does not
    assert [r["sku"] for r in stock_alerts(kinds=["slow"], slow_days=122, today=TODAY)] == []
    assert [r["sku"] for r in stock_alerts(kinds=["slow"], slow_days=121, today=TODAY)] == ["P-OVER", "P-PLAIN"]
    settings.JXC_SLOW_MOVING_DAYS = 200
    assert stock_alerts(kinds=["slow"], today=TODAY) == []
    # the recent movements (11 days) turn slow with a 10-day window; zero stock never does
    assert _short(stock_alerts(kinds=["slow"], slow_days=10, today=TODAY)) == [
        ("P-LOW", "A", "slow", D("4")),
        ("P-OK", "A", "slow", D("5")),
        ("P-OVER", "A", "slow", D("25")),
        ("P-LOW", "B", "slow", D("12")),
        ("P-PLAIN", "B", "slow", D("3")),
    ]


def test_a_recovered_product_drops_out(setup, make_user):
    post(make_user("warehouse"), (setup["low"], setup["a"], 6, 1), date=TODAY)
    assert _short(stock_alerts(kinds=["low"], today=TODAY)) == []
    post(make_user("warehouse"), (setup["low"], setup["a"], -10), date=TODAY)
    assert _short(stock_alerts(kinds=["low"], today=TODAY)) == [("P-LOW", "A", "low", D("0"))]
