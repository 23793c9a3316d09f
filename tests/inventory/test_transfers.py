"""Stock transfers (调拨): services and the /api/v1/stock-transfers/ endpoint."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.errors import BusinessError
from apps.inventory import services
from apps.inventory.models import StockTransfer, ValuationMethod
from tests.factories import ProductFactory, UserFactory, WarehouseFactory

from .document_helpers import DAY, entries_of, entry_count, receive, stock
from .ledger_helpers import D

pytestmark = pytest.mark.django_db

URL = "/api/v1/stock-transfers/"


@pytest.fixture
def sh():
    return WarehouseFactory(code="SH01", name="上海总仓")


@pytest.fixture
def sz():
    return WarehouseFactory(code="SZ01", name="苏州分仓")


@pytest.fixture
def clerk(sh, sz):
    return UserFactory(departments=["warehouse"], warehouses=[sh, sz])


@pytest.fixture
def product():
    return ProductFactory(sku="SKU-A", name="矿泉水")


def make(clerk, source, target, *lines):
    return services.stock_transfer_create(
        user=clerk,
        from_warehouse=source,
        to_warehouse=target,
        date=DAY,
        lines=[{"product": p, "qty": D(q)} for p, q in lines],
    )


def test_create_numbers_a_draft(clerk, sh, sz, product):
    transfer = make(clerk, sh, sz, (product, 4))

    assert (transfer.number, transfer.status) == ("TRF-2026-000001", "draft")
    assert [(line.product_id, line.qty) for line in transfer.lines.all()] == [(product.pk, D(4))]
    assert entry_count() == 0


def test_post_moves_the_goods_at_the_source_cost(clerk, sh, sz, product):
    receive(clerk, product, sh, 10, 100)
    receive(clerk, product, sh, 20, 120)  # 30 worth 3,400.00
    receive(clerk, product, sz, 1, 50)  # the receiving side has its own average
    transfer = make(clerk, sh, sz, (product, 15))

    posted = services.stock_transfer_post(transfer=transfer, user=clerk)

    assert posted.status == "posted"
    assert entries_of("stock_transfer", transfer) == [
        ("SKU-A", "SH01", D(-15), D("113.333333"), D("-1700.00"), False),
        ("SKU-A", "SZ01", D(15), D("113.333333"), D("1700.00"), False),
    ]
    assert stock(product, sh) == (D(15), D("1700.00"))
    assert stock(product, sz) == (D(16), D("1750.00"))


def test_fifo_transfer_carries_the_layers_value(clerk, sh, sz):
    product = ProductFactory(sku="FIFO-1", valuation_method=ValuationMethod.FIFO)
    receive(clerk, product, sh, 10, 100)
    receive(clerk, product, sh, 20, 120)
    transfer = make(clerk, sh, sz, (product, 15))

    services.stock_transfer_post(transfer=transfer, user=clerk)

    assert stock(product, sh) == (D(15), D("1800.00"))
    assert stock(product, sz) == (D(15), D("1600.00"))


def test_posting_twice_writes_no_second_set_of_entries(clerk, sh, sz, product):
    receive(clerk, product, sh, 10, 100)
    transfer = make(clerk, sh, sz, (product, 4))
    services.stock_transfer_post(transfer=transfer, user=clerk)

    services.stock_transfer_post(transfer=transfer, user=clerk)

    assert len(entries_of("stock_transfer", transfer)) == 2
    assert stock(product, sz) == (D(4), D("400.00"))


def test_cancel_a_draft_and_a_posted_transfer(clerk, sh, sz, product):
    receive(clerk, product, sh, 3, "3.333333")
    draft = make(clerk, sh, sz, (product, 1))
    posted = make(clerk, sh, sz, (product, 1))
    services.stock_transfer_post(transfer=posted, user=clerk)
    assert stock(product, sh) == (D(2), D("6.67"))

    draft = services.stock_transfer_cancel(transfer=draft, user=clerk)
    posted = services.stock_transfer_cancel(transfer=posted, user=clerk)

    assert (draft.status, posted.status) == ("cancelled", "cancelled")
    assert entries_of("stock_transfer", draft) == []
    assert stock(product, sh) == (D(3), D("10.00"))
    assert stock(product, sz) == (D(0), D("0.00"))
    with pytest.raises(BusinessError) as refused:
        services.stock_transfer_cancel(transfer=posted, user=clerk)
    assert refused.value.code == "invalid_state"


def test_cancel_after_the_goods_left_the_target_is_insufficient_stock(clerk, sh, sz, product):
    receive(clerk, product, sh, 5, 10)
    transfer = make(clerk, sh, sz, (product, 5))
    services.stock_transfer_post(transfer=transfer, user=clerk)
    services.stock_transfer_post(transfer=make(clerk, sz, sh, (product, 3)), user=clerk)

    with pytest.raises(BusinessError) as refused:
        services.stock_transfer_cancel(transfer=transfer, user=clerk)

    assert refused.value.code == "insufficient_stock"
    assert "on hand 2, requested 5" in refused.value.detail
    transfer.refresh_from_db()
    assert transfer.status == "posted"


def test_insufficient_stock_writes_nothing(clerk, sh, sz, product):
    receive(clerk, product, sh, 2, 10)
    transfer = make(clerk, sh, sz, (product, 5))
    before = entry_count()

    with pytest.raises(BusinessError) as refused:
        services.stock_transfer_post(transfer=transfer, user=clerk)

    assert refused.value.code == "insufficient_stock"
    assert refused.value.detail == "Not enough stock: SKU-A 矿泉水 in SH01 上海总仓: on hand 2, requested 5."
    assert entry_count() == before
    assert stock(product, sh) == (D(2), D("20.00"))
    assert stock(product, sz) == (D(0), D(0))
    transfer.refresh_from_db()
    assert transfer.status == "draft"


def test_editing_a_posted_transfer_is_invalid_state(clerk, sh, sz, product):
    receive(clerk, product, sh, 2, 10)
    transfer = make(clerk, sh, sz, (product, 1))
    services.stock_transfer_post(transfer=transfer, user=clerk)

    with pytest.raises(BusinessError) as refused:
        services.stock_transfer_update(transfer=transfer, user=clerk, lines=[{"product": product, "qty": D(2)}])

    assert refused.value.code == "invalid_state"
    assert transfer.lines.get().qty == D(1)


def test_same_warehouse_twice_is_refused(clerk, sh, product):
    with pytest.raises(ValidationError) as refused:
        make(clerk, sh, sh, (product, 1))

    assert refused.value.message_dict == {
        "to_warehouse": ["A transfer goes to a different warehouse than it comes from."]
    }
    assert StockTransfer.objects.count() == 0


@pytest.mark.parametrize("qty", ["0", "-2"])
def test_zero_or_negative_quantity_is_refused(clerk, sh, sz, product, qty):
    with pytest.raises(ValidationError) as refused:
        make(clerk, sh, sz, (product, qty))

    assert refused.value.message_dict == {"lines": ["Line 1: the quantity must be more than zero."]}


def test_the_clerk_needs_both_warehouses(sh, sz, product):
    clerk = UserFactory(departments=["warehouse"], warehouses=[sh])

    with pytest.raises(PermissionDenied):
        make(clerk, sh, sz, (product, 1))
    with pytest.raises(PermissionDenied):
        make(clerk, sz, sh, (product, 1))

    assert StockTransfer.objects.count() == 0


# --- API -----------------------------------------------------------------------------------


@pytest.fixture
def api(api_as, sh, sz):
    return api_as("warehouse", warehouses=[sh, sz])


def body(source, target, *lines):
    return {"from_warehouse": source.pk, "to_warehouse": target.pk, "date": "2026-11-22", "lines": list(lines)}


def test_api_create_post_cancel(api, sh, sz, product):
    receive(api.user, product, sh, 10, 100)

    created = api.post(URL, body(sh, sz, {"product": product.pk, "qty": "4"}), format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["number"] == "TRF-2026-000001"
    assert (data["from_warehouse"], data["to_warehouse"], data["status"]) == (sh.pk, sz.pk, "draft")
    assert [(line["product"], line["qty"]) for line in data["lines"]] == [(product.pk, "4.0000")]

    posted = api.post(f"{URL}{data['id']}/post/")
    assert (posted.status_code, posted.json()["status"]) == (200, "posted")
    assert stock(product, sz) == (D(4), D("400.00"))

    cancelled = api.post(f"{URL}{data['id']}/cancel/")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert stock(product, sh) == (D(10), D("1000.00"))
    assert stock(product, sz) == (D(0), D("0.00"))


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ("same", {"to_warehouse": ["A transfer goes to a different warehouse than it comes from."]}),
        ({"qty": "0"}, {"lines": ["Line 1: the quantity must be more than zero."]}),
        ({"qty": "-1"}, {"lines": ["Line 1: the quantity must be more than zero."]}),
        ({"product": 999999}, {"lines": {"0": {"product": ['Invalid pk "999999" - object does not exist.']}}}),
    ],
)
def test_api_bad_input_is_400(api, sh, sz, product, payload, errors):
    if payload == "same":
        request = body(sh, sh, {"product": product.pk, "qty": "1"})
    else:
        request = body(sh, sz, {"product": product.pk, "qty": "1", **payload})

    response = api.post(URL, request, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert StockTransfer.objects.count() == 0


def test_api_insufficient_stock_is_409(api, sh, sz, product):
    created = api.post(URL, body(sh, sz, {"product": product.pk, "qty": "1"}), format="json").json()

    response = api.post(f"{URL}{created['id']}/post/")

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert "on hand 0, requested 1" in response.json()["detail"]
    assert entry_count() == 0


def test_api_needs_both_warehouses(api_as, sh, sz, product):
    api = api_as("warehouse", warehouses=[sh])

    response = api.post(URL, body(sh, sz, {"product": product.pk, "qty": "1"}), format="json")

    assert response.status_code == 403
    assert StockTransfer.objects.count() == 0


def test_api_a_clerk_sees_transfers_of_either_side(api_as, sh, sz, product):
    hz = WarehouseFactory(code="HZ01")
    boss = UserFactory(departments=["management"])
    out_of_sh = make(boss, sh, hz, (product, 1))
    into_sh = make(boss, hz, sh, (product, 1))
    make(boss, sz, hz, (product, 1))
    api = api_as("warehouse", warehouses=[sh])

    rows = api.get(URL).json()["results"]
    by_warehouse = api_as("management").get(URL, {"warehouse": sh.pk}).json()["results"]

    assert sorted(row["number"] for row in rows) == sorted([out_of_sh.number, into_sh.number])
    assert sorted(row["number"] for row in by_warehouse) == sorted([out_of_sh.number, into_sh.number])
