"""Stock adjustments (其他入库/其他出库): services and the /api/v1/stock-adjustments/ endpoint."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.errors import BusinessError
from apps.inventory import services
from apps.inventory.models import StockAdjustment, StockAdjustmentLine, ValuationMethod
from tests.factories import ProductFactory, UserFactory, WarehouseFactory

from .document_helpers import DAY, entries_of, entry_count, receive, stock
from .ledger_helpers import D

pytestmark = pytest.mark.django_db

URL = "/api/v1/stock-adjustments/"


@pytest.fixture
def wh():
    return WarehouseFactory(code="SH01", name="上海总仓")


@pytest.fixture
def clerk(wh):
    return UserFactory(departments=["warehouse"], warehouses=[wh])


@pytest.fixture
def product():
    return ProductFactory(sku="SKU-A", name="矿泉水", purchase_price=D("10.00"))


def make(clerk, wh, *lines, reason="found", date=DAY):
    """``make(clerk, wh, (product, qty[, unit_cost]), ...)`` -> a draft adjustment."""
    return services.stock_adjustment_create(
        user=clerk,
        warehouse=wh,
        reason=reason,
        date=date,
        lines=[{"product": p, "qty": D(q), "unit_cost": D(c[0]) if c else None} for p, q, *c in lines],
    )


# --- services ------------------------------------------------------------------------------


def test_create_numbers_a_draft(clerk, wh, product):
    adjustment = make(clerk, wh, (product, 5, "12.5"), (product, -2))

    assert adjustment.number == "ADJ-2026-000001"
    assert adjustment.status == "draft"
    assert adjustment.created_by == clerk
    assert [(line.line_no, line.qty, line.unit_cost) for line in adjustment.lines.all()] == [
        (1, D(5), D("12.5")),
        (2, D(-2), None),
    ]
    assert entry_count() == 0


def test_post_books_in_at_the_average_cost_and_out_at_the_current_cost(clerk, wh, product):
    receive(clerk, product, wh, 10, 100)
    receive(clerk, product, wh, 20, 120)  # 30 worth 3,400.00: average 113.333333
    adjustment = make(clerk, wh, (product, 3), (product, -6))

    posted = services.stock_adjustment_post(adjustment=adjustment, user=clerk)

    assert posted.status == "posted"
    assert entries_of("stock_adjustment", adjustment) == [
        ("SKU-A", "SH01", D(3), D("113.333333"), D("340.00"), False),
        ("SKU-A", "SH01", D(-6), D("113.333333"), D("-680.00"), False),
    ]
    assert stock(product, wh) == (D(27), D("3060.00"))
    # The costs it was booked at are kept on the lines.
    assert list(adjustment.lines.values_list("unit_cost", flat=True)) == [D("113.333333"), D("113.333333")]


def test_a_line_with_its_own_cost_comes_in_at_that_cost(clerk, wh, product):
    receive(clerk, product, wh, 10, 100)
    adjustment = make(clerk, wh, (product, 10, "130"), reason="opening")

    services.stock_adjustment_post(adjustment=adjustment, user=clerk)

    assert stock(product, wh) == (D(20), D("2300.00"))


def test_without_stock_a_line_comes_in_at_the_purchase_price(clerk, wh, product):
    adjustment = make(clerk, wh, (product, 4))

    services.stock_adjustment_post(adjustment=adjustment, user=clerk)

    assert entries_of("stock_adjustment", adjustment) == [("SKU-A", "SH01", D(4), D("10.000000"), D("40.00"), False)]
    assert adjustment.lines.get().unit_cost == D("10.000000")


def test_fifo_product_goes_out_from_the_oldest_layer(clerk, wh):
    product = ProductFactory(sku="FIFO-1", valuation_method=ValuationMethod.FIFO)
    receive(clerk, product, wh, 10, 100)
    receive(clerk, product, wh, 20, 120)
    adjustment = make(clerk, wh, (product, -15), reason="scrap")

    services.stock_adjustment_post(adjustment=adjustment, user=clerk)

    assert entries_of("stock_adjustment", adjustment) == [
        ("FIFO-1", "SH01", D(-15), D("106.666667"), D("-1600.00"), False)
    ]
    assert stock(product, wh) == (D(15), D("1800.00"))


def test_posting_twice_writes_no_second_set_of_entries(clerk, wh, product):
    adjustment = make(clerk, wh, (product, 4))
    services.stock_adjustment_post(adjustment=adjustment, user=clerk)

    again = services.stock_adjustment_post(adjustment=adjustment, user=clerk)

    assert again.status == "posted"
    assert entry_count() == 1
    assert stock(product, wh) == (D(4), D("40.00"))


def test_cancel_a_draft_writes_nothing(clerk, wh, product):
    adjustment = make(clerk, wh, (product, 4))

    cancelled = services.stock_adjustment_cancel(adjustment=adjustment, user=clerk)

    assert cancelled.status == "cancelled"
    assert entry_count() == 0


def test_cancel_a_posted_adjustment_reverses_it_exactly(clerk, wh, product):
    receive(clerk, product, wh, 3, "3.333333")  # 10.00: issuing one rounds
    adjustment = make(clerk, wh, (product, -1), (product, 5, "7.77"))
    services.stock_adjustment_post(adjustment=adjustment, user=clerk)
    assert stock(product, wh) == (D(7), D("45.52"))

    cancelled = services.stock_adjustment_cancel(adjustment=adjustment, user=clerk)

    assert cancelled.status == "cancelled"
    assert stock(product, wh) == (D(3), D("10.00"))
    assert entries_of("stock_adjustment", adjustment) == [
        ("SKU-A", "SH01", D(-1), D("3.33"), D("-3.33"), False),
        ("SKU-A", "SH01", D(5), D("7.77"), D("38.85"), False),
        ("SKU-A", "SH01", D(-5), D("7.77"), D("-38.85"), True),
        ("SKU-A", "SH01", D(1), D("3.33"), D("3.33"), True),
    ]


def test_cancel_twice_is_invalid_state(clerk, wh, product):
    adjustment = make(clerk, wh, (product, 4))
    services.stock_adjustment_post(adjustment=adjustment, user=clerk)
    services.stock_adjustment_cancel(adjustment=adjustment, user=clerk)

    with pytest.raises(BusinessError) as refused:
        services.stock_adjustment_cancel(adjustment=adjustment, user=clerk)

    assert refused.value.code == "invalid_state"
    assert entry_count() == 2


def test_posting_a_cancelled_adjustment_is_invalid_state(clerk, wh, product):
    adjustment = make(clerk, wh, (product, 4))
    services.stock_adjustment_cancel(adjustment=adjustment, user=clerk)

    with pytest.raises(BusinessError) as refused:
        services.stock_adjustment_post(adjustment=adjustment, user=clerk)

    assert refused.value.code == "invalid_state"
    assert entry_count() == 0


def test_editing_a_posted_adjustment_is_invalid_state(clerk, wh, product):
    adjustment = make(clerk, wh, (product, 4))
    services.stock_adjustment_post(adjustment=adjustment, user=clerk)

    with pytest.raises(BusinessError) as refused:
        services.stock_adjustment_update(adjustment=adjustment, user=clerk, note="changed")

    assert refused.value.code == "invalid_state"
    adjustment.refresh_from_db()
    assert adjustment.note == ""


def test_update_replaces_the_lines_of_a_draft(clerk, wh, product):
    other = ProductFactory(sku="SKU-B")
    adjustment = make(clerk, wh, (product, 4))

    services.stock_adjustment_update(
        adjustment=adjustment,
        user=clerk,
        reason="damage",
        note="破损",
        lines=[{"product": other, "qty": D(-1), "unit_cost": None}],
    )

    adjustment.refresh_from_db()
    assert (adjustment.reason, adjustment.note) == ("damage", "破损")
    assert [(line.product.sku, line.qty) for line in adjustment.lines.all()] == [("SKU-B", D(-1))]


def test_insufficient_stock_names_the_figures_and_writes_nothing(clerk, wh, product):
    receive(clerk, product, wh, 2, 10)
    adjustment = make(clerk, wh, (product, 6), (product, -9))
    before = entry_count()

    with pytest.raises(BusinessError) as refused:
        services.stock_adjustment_post(adjustment=adjustment, user=clerk)

    assert refused.value.code == "insufficient_stock"
    assert refused.value.detail == ("Not enough stock: SKU-A 矿泉水 in SH01 上海总仓: on hand 2, requested 9.")
    assert entry_count() == before
    assert stock(product, wh) == (D(2), D("20.00"))
    adjustment.refresh_from_db()
    assert adjustment.status == "draft"
    assert list(adjustment.lines.values_list("unit_cost", flat=True)) == [None, None]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([("qty", "0")], "Line 1: the quantity must not be zero (positive brings stock in, negative takes it out)."),
        (
            [("qty", "-1"), ("unit_cost", "5")],
            "Line 1: stock going out leaves at its current cost; leave the unit cost empty.",
        ),
    ],
)
def test_bad_lines_are_refused_with_a_message(clerk, wh, product, lines, message):
    line = {"product": product, "unit_cost": None, **{k: D(v) for k, v in lines}}

    with pytest.raises(ValidationError) as refused:
        services.stock_adjustment_create(user=clerk, warehouse=wh, reason="other", lines=[line])

    assert refused.value.message_dict == {"lines": [message]}
    assert StockAdjustment.objects.count() == 0


def test_a_warehouse_the_clerk_does_not_operate_is_refused(clerk, product):
    elsewhere = WarehouseFactory(code="BJ01")

    with pytest.raises(PermissionDenied):
        make(clerk, elsewhere, (product, 4))

    assert StockAdjustment.objects.count() == 0


def test_posting_in_a_warehouse_the_clerk_no_longer_operates_is_refused(clerk, wh, product):
    adjustment = make(UserFactory(departments=["management"]), wh, (product, 4))
    outsider = UserFactory(departments=["warehouse"], warehouses=[WarehouseFactory(code="BJ01")])

    with pytest.raises(PermissionDenied):
        services.stock_adjustment_post(adjustment=adjustment, user=outsider)

    assert entry_count() == 0
    adjustment.refresh_from_db()
    assert adjustment.status == "draft"


# --- API -----------------------------------------------------------------------------------


@pytest.fixture
def api(api_as, wh):
    return api_as("warehouse", warehouses=[wh])


def body(wh, *lines, **header):
    return {
        "warehouse": wh.pk,
        "reason": "found",
        "date": "2026-11-22",
        "note": "",
        "lines": [dict(line) for line in lines],
        **header,
    }


def test_api_creates_a_draft(api, wh, product):
    response = api.post(URL, body(wh, {"product": product.pk, "qty": "5"}), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    line_id = StockAdjustmentLine.objects.get().pk
    assert data == {
        "id": data["id"],
        "number": "ADJ-2026-000001",
        "status": "draft",
        "date": "2026-11-22",
        "note": "",
        "created_by": api.user.pk,
        "created_at": data["created_at"],
        "warehouse": wh.pk,
        "reason": "found",
        "lines": [{"id": line_id, "product": product.pk, "qty": "5.0000", "unit_cost": None}],
    }


def test_api_date_defaults_to_today(api, wh, product):
    from django.utils import timezone

    payload = body(wh, {"product": product.pk, "qty": "5"})
    del payload["date"]

    response = api.post(URL, payload, format="json")

    assert response.status_code == 201
    assert response.json()["date"] == timezone.localdate().isoformat()


def test_api_post_and_cancel(api, wh, product):
    receive(api.user, product, wh, 10, 100)
    created = api.post(URL, body(wh, {"product": product.pk, "qty": "-4"}), format="json").json()

    posted = api.post(f"{URL}{created['id']}/post/")

    assert posted.status_code == 200
    assert posted.json()["status"] == "posted"
    assert posted.json()["lines"][0]["unit_cost"] == "100.000000"
    assert stock(product, wh) == (D(6), D("600.00"))

    again = api.post(f"{URL}{created['id']}/post/")
    assert again.status_code == 200
    assert entry_count() == 2  # the receipt and the adjustment, once

    cancelled = api.post(f"{URL}{created['id']}/cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert stock(product, wh) == (D(10), D("1000.00"))

    twice = api.post(f"{URL}{created['id']}/cancel/")
    assert twice.status_code == 409
    assert twice.json()["code"] == "invalid_state"
    assert stock(product, wh) == (D(10), D("1000.00"))


def test_api_edits_a_draft_but_not_a_posted_adjustment(api, wh, product):
    created = api.post(URL, body(wh, {"product": product.pk, "qty": "5"}), format="json").json()

    patched = api.patch(f"{URL}{created['id']}/", {"note": "盘盈", "reason": "other"}, format="json")
    assert patched.status_code == 200
    assert (patched.json()["note"], patched.json()["reason"]) == ("盘盈", "other")
    assert len(patched.json()["lines"]) == 1

    put = api.put(
        f"{URL}{created['id']}/",
        body(wh, {"product": product.pk, "qty": "7", "unit_cost": "2"}, note="盘盈"),
        format="json",
    )
    assert put.status_code == 200
    assert [(line["qty"], line["unit_cost"]) for line in put.json()["lines"]] == [("7.0000", "2.000000")]

    api.post(f"{URL}{created['id']}/post/")
    refused = api.patch(f"{URL}{created['id']}/", {"note": "late"}, format="json")

    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_state"
    assert StockAdjustment.objects.get().note == "盘盈"


def test_api_insufficient_stock_is_409_with_the_numbers_and_nothing_written(api, wh, product):
    receive(api.user, product, wh, 2, 10)
    created = api.post(URL, body(wh, {"product": product.pk, "qty": "-3"}), format="json").json()
    before = entry_count()

    response = api.post(f"{URL}{created['id']}/post/")

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert "on hand 2, requested 3" in response.json()["detail"]
    assert response.json()["shortages"] == [
        {
            "product": product.pk,
            "sku": "SKU-A",
            "warehouse": wh.pk,
            "warehouse_code": "SH01",
            "on_hand": "2",
            "requested": "3",
        }
    ]
    assert entry_count() == before
    assert stock(product, wh) == (D(2), D("20.00"))
    assert StockAdjustment.objects.get().status == "draft"


@pytest.mark.parametrize(
    ("line", "errors"),
    [
        (
            {"product": "P", "qty": "0"},
            {"lines": ["Line 1: the quantity must not be zero (positive brings stock in, negative takes it out)."]},
        ),
        # DRF names the failing line by its index.
        (
            {"product": 999999, "qty": "1"},
            {"lines": {"0": {"product": ['Invalid pk "999999" - object does not exist.']}}},
        ),
        ({"product": "P", "qty": "abc"}, {"lines": {"0": {"qty": ["A valid number is required."]}}}),
        (
            {"product": "P", "qty": "1", "unit_cost": "-1"},
            {"lines": {"0": {"unit_cost": ["Ensure this value is greater than or equal to 0."]}}},
        ),
        ({"qty": "1"}, {"lines": {"0": {"product": ["This field is required."]}}}),
    ],
)
def test_api_bad_lines_are_400_with_field_messages(api, wh, product, line, errors):
    if line.get("product") == "P":
        line = {**line, "product": product.pk}

    response = api.post(URL, body(wh, line), format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert StockAdjustment.objects.count() == 0


def test_api_missing_unit_cost_is_fine(api, wh, product):
    response = api.post(URL, body(wh, {"product": product.pk, "qty": "3"}), format="json")

    assert response.status_code == 201
    assert api.post(f"{URL}{response.json()['id']}/post/").json()["lines"][0]["unit_cost"] == "10.000000"


def test_api_bad_header_and_malformed_json(api, wh, product):
    no_lines = api.post(URL, body(wh), format="json")
    bad_reason = api.post(URL, body(wh, {"product": product.pk, "qty": "1"}, reason="stolen"), format="json")
    malformed = api.generic("POST", URL, '{"warehouse": 1, "lines": [', content_type="application/json")

    assert no_lines.status_code == 400
    assert no_lines.json() == {"lines": ["A document needs at least one line."]}
    assert bad_reason.status_code == 400
    assert bad_reason.json() == {"reason": ['"stolen" is not a valid choice.']}
    assert malformed.status_code == 400
    assert list(malformed.json()) == ["non_field_errors"]
    assert StockAdjustment.objects.count() == 0


def test_api_unscoped_warehouse_is_403_and_nothing_written(api, wh, product):
    elsewhere = WarehouseFactory(code="BJ01")

    response = api.post(URL, body(elsewhere, {"product": product.pk, "qty": "3"}), format="json")

    assert response.status_code == 403
    assert StockAdjustment.objects.count() == 0


def test_api_moving_a_draft_to_an_unscoped_warehouse_is_403(api, wh, product):
    created = api.post(URL, body(wh, {"product": product.pk, "qty": "3"}), format="json").json()
    elsewhere = WarehouseFactory(code="BJ01")

    response = api.patch(f"{URL}{created['id']}/", {"warehouse": elsewhere.pk}, format="json")

    assert response.status_code == 403
    assert StockAdjustment.objects.get().warehouse == wh


def test_api_a_clerk_lists_only_their_warehouses_and_management_all(api, api_as, wh, product):
    boss = UserFactory(departments=["management"])
    elsewhere = WarehouseFactory(code="BJ01")
    mine = make(api.user, wh, (product, 1))
    theirs = make(boss, elsewhere, (product, 1))

    clerk_list = api.get(URL).json()
    manager_list = api_as("management").get(URL).json()

    assert [row["number"] for row in clerk_list["results"]] == [mine.number]
    assert sorted(row["number"] for row in manager_list["results"]) == sorted([mine.number, theirs.number])
    assert api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert api.post(f"{URL}{theirs.pk}/post/").status_code == 404
    assert entry_count() == 0


def test_api_list_filters(api, wh, product):
    import datetime

    first = make(api.user, wh, (product, 1), date=datetime.date(2026, 11, 1))
    second = make(api.user, wh, (product, 2), date=datetime.date(2026, 11, 15), reason="scrap")
    services.stock_adjustment_post(adjustment=second, user=api.user)

    def numbers(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return sorted(row["number"] for row in response.json()["results"])

    assert numbers(status="posted") == [second.number]
    assert numbers(status="draft") == [first.number]
    assert numbers(date_from="2026-11-10") == [second.number]
    assert numbers(date_to="2026-11-10") == [first.number]
    assert numbers(date_from="2026-11-01", date_to="2026-11-15") == [first.number, second.number]
    assert numbers(search=first.number) == [first.number]
    assert numbers(reason="scrap") == [second.number]
    assert numbers(warehouse=wh.pk) == [first.number, second.number]
    assert api.get(URL, {"status": "lost"}).status_code == 400


def test_api_excel_export(api, wh, product):
    make(api.user, wh, (product, 1))

    response = api.get(URL, {"format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("ID", "Number", "Status")
    assert rows[1][1] == "ADJ-2026-000001"
    assert len(rows) == 2


def test_api_post_with_an_idempotency_key_answers_the_first_response_again(session_as, wh, product):
    from apps.core.models import IdempotencyRecord

    api = session_as("warehouse", warehouses=[wh])  # a session: the middleware sees the user
    created = api.post(URL, body(wh, {"product": product.pk, "qty": "4"}), format="json").json()

    first = api.post(f"{URL}{created['id']}/post/", HTTP_IDEMPOTENCY_KEY="post-adj-1")
    again = api.post(f"{URL}{created['id']}/post/", HTTP_IDEMPOTENCY_KEY="post-adj-1")

    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert IdempotencyRecord.objects.filter(key="post-adj-1").count() == 1
    assert entry_count() == 1
