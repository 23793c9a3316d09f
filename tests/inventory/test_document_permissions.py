"""The permission matrix of the warehouse's documents: every department (and anonymous) x
stock-adjustments, stock-transfers and stock-counts x read, write and each action.

The expected status codes are written out by hand from what each department's job needs (as
in tests/accounts/test_permission_matrix.py), not computed from the departments table. Every
actor is assigned the warehouses involved, so a refusal here is about the department, never
the warehouse scope (tests/inventory/test_adjustments.py etc. cover scope). Every refusal also
checks that nothing changed: documents, lines and ledger entries.
"""

import pytest

from apps.inventory import services
from apps.inventory.models import (
    StockAdjustment,
    StockAdjustmentLine,
    StockBalance,
    StockCount,
    StockCountLine,
    StockLedgerEntry,
    StockTransfer,
    StockTransferLine,
)
from tests.factories import ProductFactory, UserFactory, WarehouseFactory

from .document_helpers import receive
from .ledger_helpers import D

pytestmark = pytest.mark.django_db

ACTORS = ["warehouse", "purchasing", "sales", "finance", "customer_service", "management", "it_admin", "anonymous"]

# fmt: off
EXPECTED = {
    #  resource            operation      warehouse purchasing sales finance cust_service management it_admin anon
    # 其他出入库: the warehouse drafts and posts; finance reviews; management does everything.
    ("stock-adjustments", "list"):     (200,      403,       403,  200,    403,             200,       403,     401),
    ("stock-adjustments", "retrieve"): (200,      403,       403,  200,    403,             200,       403,     401),
    ("stock-adjustments", "create"):   (201,      403,       403,  403,    403,             201,       403,     401),
    ("stock-adjustments", "update"):   (200,      403,       403,  403,    403,             200,       403,     401),
    ("stock-adjustments", "post"):     (200,      403,       403,  403,    403,             200,       403,     401),
    ("stock-adjustments", "cancel"):   (200,      403,       403,  403,    403,             200,       403,     401),

    # 调拨: buyers and sales also read them (where the goods are going); only the warehouse writes.
    ("stock-transfers", "list"):       (200,      200,       200,  200,    403,             200,       403,     401),
    ("stock-transfers", "retrieve"):   (200,      200,       200,  200,    403,             200,       403,     401),
    ("stock-transfers", "create"):     (201,      403,       403,  403,    403,             201,       403,     401),
    ("stock-transfers", "update"):     (200,      403,       403,  403,    403,             200,       403,     401),
    ("stock-transfers", "post"):       (200,      403,       403,  403,    403,             200,       403,     401),
    ("stock-transfers", "cancel"):     (200,      403,       403,  403,    403,             200,       403,     401),

    # 盘点: counted by the warehouse, read by finance.
    ("stock-counts", "list"):          (200,      403,       403,  200,    403,             200,       403,     401),
    ("stock-counts", "retrieve"):      (200,      403,       403,  200,    403,             200,       403,     401),
    ("stock-counts", "create"):        (201,      403,       403,  403,    403,             201,       403,     401),
    ("stock-counts", "update"):        (200,      403,       403,  403,    403,             200,       403,     401),
    ("stock-counts", "scan"):          (200,      403,       403,  403,    403,             200,       403,     401),
    ("stock-counts", "count"):         (200,      403,       403,  403,    403,             200,       403,     401),
    ("stock-counts", "post"):          (200,      403,       403,  403,    403,             200,       403,     401),
    ("stock-counts", "cancel"):        (200,      403,       403,  403,    403,             200,       403,     401),
}
# fmt: on

CASES = [
    pytest.param(resource, operation, actor, statuses[i], id=f"{resource}-{operation}-{actor}")
    for (resource, operation), statuses in EXPECTED.items()
    for i, actor in enumerate(ACTORS)
]

STATUS_AFTER = {"post": "posted", "cancel": "cancelled"}


@pytest.fixture
def world():
    """Two warehouses, a product with 10 in the first, and one draft of each document made by
    a manager (the count has one counted line, so it can be posted)."""
    sh, sz = WarehouseFactory(code="SH01"), WarehouseFactory(code="SZ01")
    product = ProductFactory(sku="P-1", barcode="6900000000001")
    boss = UserFactory(departments=["management"])
    receive(boss, product, sh, 10, 5)
    adjustment = services.stock_adjustment_create(
        user=boss, warehouse=sh, reason="scrap", lines=[{"product": product, "qty": D(-1)}]
    )
    transfer = services.stock_transfer_create(
        user=boss, from_warehouse=sh, to_warehouse=sz, lines=[{"product": product, "qty": D(1)}]
    )
    count = services.stock_count_create(user=boss, warehouse=sh)
    services.stock_count_set_line(count=count, user=boss, product=product, counted_qty=D(9))
    return {
        "warehouses": [sh, sz],
        "product": product,
        "stock-adjustments": adjustment,
        "stock-transfers": transfer,
        "stock-counts": count,
        "payload": {
            "stock-adjustments": {
                "warehouse": sh.pk,
                "reason": "found",
                "lines": [{"product": product.pk, "qty": "2"}],
            },
            "stock-transfers": {
                "from_warehouse": sh.pk,
                "to_warehouse": sz.pk,
                "lines": [{"product": product.pk, "qty": "2"}],
            },
            "stock-counts": {"warehouse": sh.pk},
        },
    }


def database_state():
    models = [
        StockAdjustment,
        StockAdjustmentLine,
        StockTransfer,
        StockTransferLine,
        StockCount,
        StockCountLine,
        StockLedgerEntry,
        StockBalance,
    ]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def send(client, resource, operation, world):
    base = f"/api/v1/{resource}/"
    target = world[resource]
    detail = f"{base}{target.pk}/"
    if operation == "list":
        return client.get(base)
    if operation == "retrieve":
        return client.get(detail)
    if operation == "create":
        return client.post(base, world["payload"][resource], format="json")
    if operation == "update":
        return client.patch(detail, {"note": "改"}, format="json")
    if operation == "scan":
        return client.post(f"{detail}scan/", {"barcode": world["product"].barcode}, format="json")
    if operation == "count":
        return client.post(f"{detail}count/", {"product": world["product"].pk, "counted_qty": "7"}, format="json")
    return client.post(f"{detail}{operation}/")


@pytest.mark.parametrize(("resource", "operation", "actor", "expected"), CASES)
def test_document_permission_matrix(api_as, world, resource, operation, actor, expected):
    # given
    client = api_as(None) if actor == "anonymous" else api_as(actor, warehouses=world["warehouses"])
    before = database_state()

    # when
    response = send(client, resource, operation, world)

    # then
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert database_state() == before
    if expected == 401:
        assert response["WWW-Authenticate"] == "Token"
    target = world[resource]
    if expected == 200 and operation == "list":
        assert [row["id"] for row in response.json()["results"]] == [target.pk]
    if expected == 200 and operation in ("retrieve", "update", "post", "cancel", "scan", "count"):
        assert response.json()["id"] == target.pk
    if expected == 200 and operation in STATUS_AFTER:
        target.refresh_from_db()
        assert target.status == STATUS_AFTER[operation]
        assert response.json()["status"] == STATUS_AFTER[operation]
    if expected == 200 and operation == "update":
        target.refresh_from_db()
        assert target.note == "改"
    if expected == 201:
        assert type(target).objects.count() == 2
        assert response.json()["status"] == "draft"


def test_every_department_is_in_the_matrix():
    from apps.accounts.departments import DEPARTMENTS

    assert ACTORS[:-1] == list(DEPARTMENTS)
