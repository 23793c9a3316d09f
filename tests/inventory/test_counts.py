"""Stock counts (盘点): starting a sheet, counting by typing and scanning (the snapshot), posting
the variances, and the /api/v1/stock-counts/ endpoint."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.errors import BusinessError
from apps.inventory import services
from apps.inventory.models import StockBalance, StockCount, StockCountLine
from tests.factories import CategoryFactory, ProductFactory, UserFactory, WarehouseFactory

from .document_helpers import DAY, entries_of, entry_count, receive, stock
from .ledger_helpers import D, post

pytestmark = pytest.mark.django_db

URL = "/api/v1/stock-counts/"


@pytest.fixture
def wh():
    return WarehouseFactory(code="SH01", name="上海总仓")


@pytest.fixture
def clerk(wh):
    return UserFactory(departments=["warehouse"], warehouses=[wh])


@pytest.fixture
def product():
    return ProductFactory(sku="SKU-A", name="矿泉水", barcode="6901234567892", purchase_price=D("8.00"))


def start(clerk, wh, **scope):
    return services.stock_count_create(user=clerk, warehouse=wh, date=DAY, **scope)


def set_qty(clerk, count, product, qty):
    return services.stock_count_set_line(count=count, user=clerk, product=product, counted_qty=D(qty))


def sheet(count):
    """(sku, counted, system) per line, in sheet order."""
    return [
        (line.product.sku, line.counted_qty, line.system_qty)
        for line in count.lines.select_related("product").order_by("line_no")
    ]


def set_location(product, wh, location):
    StockBalance.objects.filter(product=product, warehouse=wh).update(location=location)


# --- starting a count ----------------------------------------------------------------------


def test_start_lists_the_warehouses_products_in_walking_order_without_a_snapshot(clerk, wh, product):
    other = ProductFactory(sku="SKU-B")
    third = ProductFactory(sku="SKU-C")
    elsewhere = WarehouseFactory(code="BJ01")
    for item in (product, other, third):
        receive(clerk, item, wh, 1, 1)
    receive(clerk, ProductFactory(sku="SKU-Z"), elsewhere, 1, 1)
    set_location(product, wh, "B-01")
    set_location(other, wh, "A-02")
    set_location(third, wh, "A-01")

    count = start(clerk, wh)

    assert (count.number, count.status) == ("CNT-2026-000001", "draft")
    assert sheet(count) == [("SKU-C", None, None), ("SKU-B", None, None), ("SKU-A", None, None)]
    assert entry_count() == 4  # starting a count moves nothing


def test_a_product_whose_stock_is_zero_is_still_on_the_sheet(clerk, wh, product):
    receive(clerk, product, wh, 2, 1)
    post(clerk, (product, wh, -2))

    assert sheet(start(clerk, wh)) == [("SKU-A", None, None)]


def test_start_with_a_category_includes_its_sub_categories(clerk, wh):
    food = CategoryFactory(name="食品")
    drinks = CategoryFactory(name="饮料", parent=food)
    water = CategoryFactory(name="水", parent=drinks)
    tools = CategoryFactory(name="工具")
    for sku, category in [("F-1", food), ("D-1", drinks), ("W-1", water), ("T-1", tools), ("N-1", None)]:
        receive(clerk, ProductFactory(sku=sku, category=category), wh, 1, 1)

    assert [sku for sku, *_ in sheet(start(clerk, wh, category=food))] == ["D-1", "F-1", "W-1"]
    assert [sku for sku, *_ in sheet(start(clerk, wh, category=drinks))] == ["D-1", "W-1"]


def test_start_with_a_location_range(clerk, wh):
    for sku, location in [("P-1", "A-01"), ("P-2", "A-09"), ("P-3", "B-01"), ("P-4", "C-01"), ("P-5", "")]:
        item = ProductFactory(sku=sku)
        receive(clerk, item, wh, 1, 1)
        set_location(item, wh, location)

    assert [s for s, *_ in sheet(start(clerk, wh, location_from="A-05", location_to="B-99"))] == ["P-2", "P-3"]
    assert [s for s, *_ in sheet(start(clerk, wh, location_from="B"))] == ["P-3", "P-4"]
    assert [s for s, *_ in sheet(start(clerk, wh, location_to="A-05"))] == ["P-1"]  # unplaced P-5 is on no shelf


def test_start_may_include_the_categorys_products_without_stock(clerk, wh):
    drinks = CategoryFactory(name="饮料")
    receive(clerk, ProductFactory(sku="D-1", category=drinks), wh, 1, 1)
    ProductFactory(sku="D-0", category=drinks)
    ProductFactory(sku="D-9", category=drinks, is_active=False)
    ProductFactory(sku="X-1")

    plain = start(clerk, wh, category=drinks)
    with_empty = start(clerk, wh, category=drinks, include_products_without_stock=True)

    assert [s for s, *_ in sheet(plain)] == ["D-1"]
    assert [s for s, *_ in sheet(with_empty)] == ["D-1", "D-0"]


def test_nothing_to_count_is_refused(clerk, wh):
    with pytest.raises(ValidationError) as refused:
        start(clerk, wh)

    assert refused.value.message_dict == {
        "__all__": [
            "No product in SH01 上海总仓 matches this count: choose another category or location range, "
            "or include the products without stock."
        ]
    }
    assert StockCount.objects.count() == 0


def test_a_reversed_location_range_is_refused(clerk, wh, product):
    receive(clerk, product, wh, 1, 1)

    with pytest.raises(ValidationError) as refused:
        start(clerk, wh, location_from="B", location_to="A")

    assert refused.value.message_dict == {"location_to": ["The range ends before it starts."]}


def test_starting_in_an_unscoped_warehouse_is_refused(clerk, product):
    elsewhere = WarehouseFactory(code="BJ01")
    receive(clerk, product, elsewhere, 1, 1)

    with pytest.raises(PermissionDenied):
        start(clerk, elsewhere)

    assert StockCount.objects.count() == 0


# --- counting ------------------------------------------------------------------------------


def test_typing_sets_the_number_and_snapshots_the_system_quantity_then(clerk, wh, product):
    receive(clerk, product, wh, 10, 5)
    count = start(clerk, wh)
    receive(clerk, product, wh, 2, 5)  # before counting: part of the snapshot

    line = set_qty(clerk, count, product, 11)

    assert (line.counted_qty, line.system_qty, line.variance) == (D(11), D(12), D(-1))
    assert (line.counted_by, line.counted_at is not None) == (clerk, True)
    line = set_qty(clerk, count, product, 12)
    assert (line.counted_qty, line.system_qty, line.variance) == (D(12), D(12), D(0))
    assert count.lines.count() == 1


def test_typing_again_after_a_movement_takes_a_new_snapshot(clerk, wh, product):
    receive(clerk, product, wh, 10, 5)
    count = start(clerk, wh)
    set_qty(clerk, count, product, 8)
    receive(clerk, product, wh, 5, 5)

    line = set_qty(clerk, count, product, 13)  # counted again, complete at this moment

    assert (line.counted_qty, line.system_qty) == (D(13), D(15))


def test_a_scan_adds_one_and_keeps_the_first_scans_snapshot(clerk, wh, product):
    receive(clerk, product, wh, 10, 5)
    count = start(clerk, wh)

    first = services.stock_count_scan(count=count, user=clerk, barcode="6901234567892")
    assert (first.counted_qty, first.system_qty) == (D(1), D(10))
    receive(clerk, product, wh, 5, 5)
    services.stock_count_scan(count=count, user=clerk, barcode=" 6901234567892 ")
    third = services.stock_count_scan(count=count, user=clerk, barcode="sku-a")  # a typed SKU works too

    assert (third.counted_qty, third.system_qty) == (D(3), D(10))
    assert count.lines.count() == 1


def test_a_scan_after_typing_adds_to_the_typed_number(clerk, wh, product):
    receive(clerk, product, wh, 10, 5)
    count = start(clerk, wh)
    set_qty(clerk, count, product, 6)

    line = services.stock_count_scan(count=count, user=clerk, barcode="6901234567892")

    assert (line.counted_qty, line.system_qty) == (D(7), D(10))


def test_counting_a_product_not_on_the_sheet_adds_a_line(clerk, wh, product):
    receive(clerk, product, wh, 1, 5)
    ProductFactory(sku="STRAY", barcode="111")
    typed = ProductFactory(sku="TYPED")
    count = start(clerk, wh)

    services.stock_count_scan(count=count, user=clerk, barcode="111")
    set_qty(clerk, count, typed, 4)

    assert sheet(count) == [("SKU-A", None, None), ("STRAY", D(1), D(0)), ("TYPED", D(4), D(0))]
    assert list(count.lines.order_by("line_no").values_list("line_no", flat=True)) == [1, 2, 3]


def test_unknown_barcode_is_refused(clerk, wh, product):
    receive(clerk, product, wh, 1, 5)
    count = start(clerk, wh)

    with pytest.raises(ValidationError) as refused:
        services.stock_count_scan(count=count, user=clerk, barcode="000")

    assert refused.value.message_dict == {"barcode": ["No product has the barcode or SKU “000”."]}
    assert sheet(count) == [("SKU-A", None, None)]


def test_a_negative_count_is_refused(clerk, wh, product):
    receive(clerk, product, wh, 1, 5)
    count = start(clerk, wh)

    with pytest.raises(ValidationError) as refused:
        set_qty(clerk, count, product, -1)

    assert refused.value.message_dict == {"counted_qty": ["A counted quantity cannot be negative."]}


def test_clearing_a_count_removes_the_snapshot(clerk, wh, product):
    receive(clerk, product, wh, 1, 5)
    count = start(clerk, wh)
    set_qty(clerk, count, product, 3)

    line = services.stock_count_set_line(count=count, user=clerk, product=product, counted_qty=None)

    assert (line.counted_qty, line.system_qty, line.counted_by, line.counted_at) == (None, None, None, None)


# --- posting -------------------------------------------------------------------------------


def test_a_movement_between_counting_and_posting_is_neither_lost_nor_doubled(clerk, wh, product):
    receive(clerk, product, wh, 10, 100)
    count = start(clerk, wh)
    line = set_qty(clerk, count, product, 8)
    assert line.system_qty == D(10)
    receive(clerk, product, wh, 5, 100)  # after counting, before posting

    services.stock_count_post(count=count, user=clerk)

    assert entries_of("stock_count", count) == [("SKU-A", "SH01", D(-2), D("100.00"), D("-200.00"), False)]
    assert stock(product, wh) == (D(13), D("1300.00"))


def test_a_movement_before_counting_is_part_of_the_snapshot(clerk, wh, product):
    receive(clerk, product, wh, 10, 100)
    count = start(clerk, wh)
    receive(clerk, product, wh, 5, 100)  # after starting, before counting
    set_qty(clerk, count, product, 15)

    posted = services.stock_count_post(count=count, user=clerk)

    assert posted.status == "posted"
    assert entries_of("stock_count", count) == []
    assert stock(product, wh) == (D(15), D("1500.00"))


def test_gains_come_in_at_the_average_cost_and_losses_go_out_at_the_current_cost(clerk, wh, product):
    gain = ProductFactory(sku="GAIN")
    receive(clerk, gain, wh, 10, 100)
    receive(clerk, gain, wh, 20, 120)  # average 113.333333
    receive(clerk, product, wh, 3, "3.333333")
    count = start(clerk, wh)
    set_qty(clerk, count, gain, 33)
    set_qty(clerk, count, product, 2)

    services.stock_count_post(count=count, user=clerk)

    assert entries_of("stock_count", count) == [
        ("GAIN", "SH01", D(3), D("113.333333"), D("340.00"), False),
        ("SKU-A", "SH01", D(-1), D("3.33"), D("-3.33"), False),
    ]
    assert stock(gain, wh) == (D(33), D("3740.00"))
    assert stock(product, wh) == (D(2), D("6.67"))


def test_a_gain_without_stock_comes_in_at_the_purchase_price(clerk, wh, product):
    receive(clerk, product, wh, 1, 1)
    post(clerk, (product, wh, -1))
    count = start(clerk, wh)
    set_qty(clerk, count, product, 4)

    services.stock_count_post(count=count, user=clerk)

    assert entries_of("stock_count", count) == [("SKU-A", "SH01", D(4), D("8.00"), D("32.00"), False)]
    assert stock(product, wh) == (D(4), D("32.00"))


def test_uncounted_and_unchanged_lines_post_nothing(clerk, wh, product):
    same = ProductFactory(sku="SAME")
    untouched = ProductFactory(sku="UNTOUCHED")
    for item in (product, same, untouched):
        receive(clerk, item, wh, 5, 10)
    count = start(clerk, wh)
    set_qty(clerk, count, same, 5)
    set_qty(clerk, count, product, 6)

    services.stock_count_post(count=count, user=clerk)

    assert entries_of("stock_count", count) == [("SKU-A", "SH01", D(1), D("10.000000"), D("10.00"), False)]
    assert stock(untouched, wh) == (D(5), D("50.00"))


def test_posting_twice_writes_no_second_set_of_entries(clerk, wh, product):
    receive(clerk, product, wh, 5, 10)
    count = start(clerk, wh)
    set_qty(clerk, count, product, 3)
    services.stock_count_post(count=count, user=clerk)

    services.stock_count_post(count=count, user=clerk)

    assert len(entries_of("stock_count", count)) == 1
    assert stock(product, wh) == (D(3), D("30.00"))


def test_posting_with_nothing_counted_is_refused(clerk, wh, product):
    receive(clerk, product, wh, 5, 10)
    count = start(clerk, wh)

    with pytest.raises(BusinessError) as refused:
        services.stock_count_post(count=count, user=clerk)

    assert refused.value.code == "invalid_state"
    assert refused.value.detail == (
        "CNT-2026-000001 has no counted line yet: count at least one product before posting."
    )


def test_a_loss_larger_than_what_is_left_is_insufficient_stock_and_writes_nothing(clerk, wh, product):
    receive(clerk, product, wh, 10, 10)
    count = start(clerk, wh)
    set_qty(clerk, count, product, 8)
    post(clerk, (product, wh, -9))  # after counting: 1 left, the count says 2 fewer than the snapshot
    before = entry_count()

    with pytest.raises(BusinessError) as refused:
        services.stock_count_post(count=count, user=clerk)

    assert refused.value.code == "insufficient_stock"
    assert "on hand 1, requested 2" in refused.value.detail
    assert entry_count() == before
    count.refresh_from_db()
    assert count.status == "draft"


def test_counting_or_editing_a_posted_count_is_invalid_state(clerk, wh, product):
    receive(clerk, product, wh, 5, 10)
    count = start(clerk, wh)
    set_qty(clerk, count, product, 5)
    services.stock_count_post(count=count, user=clerk)

    for attempt in (
        lambda: set_qty(clerk, count, product, 1),
        lambda: services.stock_count_scan(count=count, user=clerk, barcode="6901234567892"),
        lambda: services.stock_count_update(count=count, user=clerk, note="late"),
    ):
        with pytest.raises(BusinessError) as refused:
            attempt()
        assert refused.value.code == "invalid_state"
    assert sheet(count) == [("SKU-A", D(5), D(5))]


def test_cancel_only_before_posting(clerk, wh, product):
    receive(clerk, product, wh, 5, 10)
    draft = start(clerk, wh)
    posted = start(clerk, wh)
    set_qty(clerk, posted, product, 4)
    services.stock_count_post(count=posted, user=clerk)

    assert services.stock_count_cancel(count=draft, user=clerk).status == "cancelled"
    for count in (draft, posted):
        with pytest.raises(BusinessError) as refused:
            services.stock_count_cancel(count=count, user=clerk)
        assert refused.value.code == "invalid_state"
    assert stock(product, wh) == (D(4), D("40.00"))


def test_the_scope_of_a_started_count_is_fixed(clerk, wh, product):
    receive(clerk, product, wh, 5, 10)
    count = start(clerk, wh)

    with pytest.raises(ValidationError) as refused:
        services.stock_count_update(count=count, user=clerk, location_from="A", warehouse=wh)

    assert refused.value.message_dict == {
        "location_from": ["A started count keeps its scope: cancel it and start a new count instead."]
    }
    updated = services.stock_count_update(count=count, user=clerk, warehouse=wh, note="年终盘点")
    assert updated.note == "年终盘点"


# --- API -----------------------------------------------------------------------------------


@pytest.fixture
def api(api_as, wh):
    return api_as("warehouse", warehouses=[wh])


def test_api_start_count_scan_and_post(api, wh, product):
    receive(api.user, product, wh, 10, 100)

    created = api.post(URL, {"warehouse": wh.pk, "date": "2026-11-22"}, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    line_id = StockCountLine.objects.get().pk
    assert data == {
        "id": data["id"],
        "number": "CNT-2026-000001",
        "status": "draft",
        "date": "2026-11-22",
        "note": "",
        "created_by": api.user.pk,
        "created_at": data["created_at"],
        "warehouse": wh.pk,
        "category": None,
        "location_from": "",
        "location_to": "",
        "lines": [
            {
                "id": line_id,
                "product": product.pk,
                "counted_qty": None,
                "system_qty": None,
                "variance": None,
                "counted_at": None,
                "counted_by": None,
            }
        ],
    }
    detail = f"{URL}{data['id']}/"

    scanned = api.post(f"{detail}scan/", {"barcode": "6901234567892"}, format="json")
    assert scanned.status_code == 200
    line = scanned.json()["lines"][0]
    assert (line["counted_qty"], line["system_qty"], line["variance"]) == ("1.0000", "10.0000", "-9.0000")

    typed = api.post(f"{detail}count/", {"product": product.pk, "counted_qty": "8"}, format="json")
    assert typed.status_code == 200
    line = typed.json()["lines"][0]
    assert (line["counted_qty"], line["system_qty"], line["variance"]) == ("8.0000", "10.0000", "-2.0000")

    receive(api.user, product, wh, 5, 100)
    posted = api.post(f"{detail}post/")
    assert (posted.status_code, posted.json()["status"]) == (200, "posted")
    assert stock(product, wh) == (D(13), D("1300.00"))

    refused = api.post(f"{detail}cancel/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_state"


def test_api_create_with_counted_lines_and_patch_lines(api, wh, product):
    receive(api.user, product, wh, 10, 100)
    other = ProductFactory(sku="OTHER")

    created = api.post(
        URL, {"warehouse": wh.pk, "lines": [{"product": other.pk, "counted_qty": "2"}]}, format="json"
    ).json()
    assert [(line["product"], line["counted_qty"], line["system_qty"]) for line in created["lines"]] == [
        (product.pk, None, None),
        (other.pk, "2.0000", "0.0000"),
    ]

    patched = api.patch(
        f"{URL}{created['id']}/",
        {"note": "复盘", "lines": [{"product": product.pk, "counted_qty": "9"}]},
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    assert patched.json()["note"] == "复盘"
    assert [(line["counted_qty"], line["variance"]) for line in patched.json()["lines"]] == [
        ("9.0000", "-1.0000"),
        ("2.0000", "2.0000"),
    ]


@pytest.mark.parametrize(
    ("action", "payload", "errors"),
    [
        ("scan", {"barcode": "000"}, {"barcode": ["No product has the barcode or SKU “000”."]}),
        ("scan", {}, {"barcode": ["This field is required."]}),
        ("count", {"product": "P", "counted_qty": "-1"}, {"counted_qty": ["A counted quantity cannot be negative."]}),
        (
            "count",
            {"product": 999999, "counted_qty": "1"},
            {"product": ['Invalid pk "999999" - object does not exist.']},
        ),
        ("count", {"product": "P", "counted_qty": "x"}, {"counted_qty": ["A valid number is required."]}),
    ],
)
def test_api_bad_counting_input_is_400(api, wh, product, action, payload, errors):
    receive(api.user, product, wh, 10, 100)
    count = start(api.user, wh)
    if payload.get("product") == "P":
        payload = {**payload, "product": product.pk}

    response = api.post(f"{URL}{count.pk}/{action}/", payload, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert sheet(count) == [("SKU-A", None, None)]


def test_api_scope_of_a_count_is_fixed_and_nothing_to_count_is_400(api, wh, product):
    empty = api.post(URL, {"warehouse": wh.pk}, format="json")
    assert empty.status_code == 400
    assert list(empty.json()) == ["non_field_errors"]

    receive(api.user, product, wh, 10, 100)
    count = start(api.user, wh)
    moved = api.patch(f"{URL}{count.pk}/", {"location_to": "Z"}, format="json")
    assert moved.status_code == 400
    assert moved.json() == {
        "location_to": ["A started count keeps its scope: cancel it and start a new count instead."]
    }


def test_api_unscoped_warehouse_is_403(api, product):
    elsewhere = WarehouseFactory(code="BJ01")
    receive(api.user, product, elsewhere, 1, 1)

    response = api.post(URL, {"warehouse": elsewhere.pk}, format="json")

    assert response.status_code == 403
    assert StockCount.objects.count() == 0


def test_a_whole_sheet_counted_at_once_keeps_every_number(clerk, wh):
    # 60 lines take the one-statement update path (PostgreSQL); each keeps its own figures.
    products = [ProductFactory(sku=f"BULK-{i:02d}") for i in range(60)]
    for i, item in enumerate(products):
        receive(clerk, item, wh, i + 1, 1)
    count = start(clerk, wh)

    services.stock_count_update(
        count=count, user=clerk, lines=[{"product": item, "counted_qty": D(i * 2)} for i, item in enumerate(products)]
    )

    lines = list(count.lines.select_related("product").order_by("product__sku"))
    assert [(line.counted_qty, line.system_qty, line.variance) for line in lines[:3]] == [
        (D(0), D(1), D(-1)),
        (D(2), D(2), D(0)),
        (D(4), D(3), D(1)),
    ]
    assert all(line.counted_by == clerk and line.counted_at is not None for line in lines)
    services.stock_count_post(count=count, user=clerk)
    assert stock(products[59], wh) == (D(118), D("118.00"))
    assert stock(products[0], wh) == (D(0), D("0.00"))
