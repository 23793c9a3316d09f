"""库存预警 (GET /api/v1/reports/stock-alerts/ and its page) over apps.inventory.alerts.

The world (slow-moving after the default 90 days): P-LOW (safety 10, max 100) has 4 in A (low)
and 12 in B (fine), moved 5 days ago; P-OVER (max 20) has 25 in A, last moved 120 days ago
(over and slow); P-PLAIN (no limits) has 3 in B, last moved 120 days ago (slow); P-OK sits
exactly at its safety stock (no alert).
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ProductFactory, WarehouseFactory
from tests.inventory.ledger_helpers import post
from tests.reports.helpers import D, read_xlsx, same_rows

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/stock-alerts/"


@pytest.fixture
def world(make_user):
    user = make_user("management")
    a, b = WarehouseFactory(code="A"), WarehouseFactory(code="B")
    low = ProductFactory(sku="P-LOW", name="低", safety_stock=D(10), max_stock=D(100))
    over = ProductFactory(sku="P-OVER", name="多", safety_stock=D(1), max_stock=D(20))
    ok = ProductFactory(sku="P-OK", name="好", safety_stock=D(5), max_stock=D(50))
    plain = ProductFactory(sku="P-PLAIN", name="慢")
    recent = timezone.localdate() - datetime.timedelta(days=5)
    old = timezone.localdate() - datetime.timedelta(days=120)
    post(user, (low, a, 4, 1), date=recent)
    post(user, (low, b, 12, 1), date=recent)
    post(user, (over, a, 25, 1), date=old)
    post(user, (ok, a, 5, 1), date=recent)
    post(user, (plain, b, 3, 1), date=old)
    return {"a": a, "b": b, "low": low, "over": over, "plain": plain, "recent": recent, "old": old}


def short(data):
    return [(r["warehouse_code"], r["sku"], r["kind"], D(r["qty"])) for r in data["rows"]]


def test_every_alert_with_its_exact_row(api_as, world):
    response = api_as("purchasing").get(URL)

    assert response.status_code == 200, response.content
    data = response.json()
    assert short(data) == [
        ("A", "P-LOW", "low", D(4)),
        ("A", "P-OVER", "over", D(25)),
        ("A", "P-OVER", "slow", D(25)),
        ("B", "P-PLAIN", "slow", D(3)),
    ]
    assert data["rows"][0] == {
        "product": world["low"].pk,
        "sku": "P-LOW",
        "name": "低",
        "warehouse": world["a"].pk,
        "warehouse_code": "A",
        "qty": "4.0000",
        "safety_stock": "10.0000",
        "max_stock": "100.0000",
        "kind": "low",
        "kind_label": "Below safety stock",
        "last_movement": world["recent"].isoformat(),
    }
    assert data["rows"][2]["last_movement"] == world["old"].isoformat()
    assert data["counts"] == {"low": 1, "over": 1, "slow": 2}
    assert data["count"] == 4 and data["slow_days"] == 90


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"kind": "slow"}, [("A", "P-OVER", "slow", D(25)), ("B", "P-PLAIN", "slow", D(3))]),
        ({"kind": "low"}, [("A", "P-LOW", "low", D(4))]),
        ({"kind": "over"}, [("A", "P-OVER", "over", D(25))]),
        ({"warehouse": "b"}, [("B", "P-PLAIN", "slow", D(3))]),
        ({"slow_days": "200"}, [("A", "P-LOW", "low", D(4)), ("A", "P-OVER", "over", D(25))]),
    ],
)
def test_filters(api_as, world, query, expected):
    query = {k: world[v].pk if k == "warehouse" else v for k, v in query.items()}

    data = api_as("warehouse", warehouses=[world["a"], world["b"]]).get(URL, query).json()

    assert short(data) == expected
    if "kind" in query:
        assert data["counts"] == {"low": 1, "over": 1, "slow": 2}  # the tabs keep their counts


def test_a_clerk_sees_only_their_warehouses(api_as, world):
    client = api_as("warehouse", warehouses=[world["b"]])

    data = client.get(URL).json()
    refused = client.get(URL, {"warehouse": world["a"].pk})

    assert short(data) == [("B", "P-PLAIN", "slow", D(3))]
    assert data["counts"] == {"low": 0, "over": 0, "slow": 1}
    assert refused.status_code == 400 and list(refused.json()) == ["warehouse"]


@pytest.mark.parametrize(
    "query, field",
    [({"kind": "empty"}, "kind"), ({"slow_days": "0"}, "slow_days"), ({"slow_days": "x"}, "slow_days")],
)
def test_bad_parameters_are_a_400_on_the_field(api_as, world, query, field):
    response = api_as("management").get(URL, query)

    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize("department, status", [("sales", 200), ("customer_service", 200), ("it_admin", 403)])
def test_readers_of_stock_balances_read_it(api_as, world, department, status):
    response = api_as(department).get(URL)

    assert response.status_code == status
    if status == 200:
        assert response.json()["count"] == 4


def test_anonymous_is_refused(api_as, world):
    assert api_as(None).get(URL).status_code in (401, 403)


def test_the_excel_file_holds_the_same_rows(api_as, world):
    client = api_as("warehouse", warehouses=[world["a"], world["b"]])
    data = client.get(URL, {"kind": "slow"}).json()

    header, rows = read_xlsx(client.get(URL, {"kind": "slow", "format": "xlsx"}))

    assert header == [
        "Product ID",
        "SKU",
        "Product",
        "Warehouse ID",
        "Warehouse",
        "On hand",
        "Safety stock",
        "Max stock",
        "Alert code",
        "Alert",
        "Last movement",
    ]
    keys = ["product", "sku", "name", "warehouse", "warehouse_code", "qty", "safety_stock", "max_stock", "kind"]
    assert same_rows(data["rows"], rows, keys)
    assert [row[9] for row in rows] == ["Slow-moving", "Slow-moving"]


def test_constant_queries_for_many_alerts(api_as, world, make_user, django_assert_max_num_queries):
    user = make_user("management")
    for _ in range(60):
        post(user, (ProductFactory(safety_stock=D(10)), world["a"], 1, 1), date=world["recent"])
    client = api_as("warehouse", warehouses=[world["a"], world["b"]])

    with django_assert_max_num_queries(6):
        data = client.get(URL).json()

    assert data["counts"] == {"low": 61, "over": 1, "slow": 2}


def test_the_page_has_a_tab_per_kind_with_its_count(client_as, world):
    client = client_as("warehouse", warehouses=[world["a"], world["b"]])

    response = client.get(reverse("reports:stock-alerts"), {"kind": "slow"})

    assert response.status_code == 200
    tabs = {link["value"]: (link["count"], link["active"]) for link in response.context["kind_links"]}
    assert tabs == {"": (4, False), "low": (1, False), "over": (1, False), "slow": (2, True)}
    assert [row["row"]["sku"] for row in response.context["rows"]] == ["P-OVER", "P-PLAIN"]
    page = response.content.decode()
    assert "Slow-moving" in page and "alert-slow" in page
    assert "stock-alerts/?kind=slow&amp;format=xlsx" in page
    card = reverse("inventory:stock-card")
    assert f"{card}?product={world['over'].pk}&amp;warehouse={world['a'].pk}" in page


def test_the_page_refuses_it_admin(client_as, world):
    assert client_as("it_admin").get(reverse("reports:stock-alerts")).status_code == 403
