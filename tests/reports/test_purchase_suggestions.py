"""Purchase planning (采购计划): the suggestion arithmetic with the issue's numbers, sales
velocity from the stock ledger, minimum order quantities and unit rounding, scope, and turning
suggestions into draft orders."""

import pytest

from apps.inventory import ledger
from apps.inventory.models import StockBalance
from apps.purchasing.models import PurchaseOrder
from apps.purchasing.reports import purchase_suggestions, suggested_quantity
from apps.suppliers.models import SupplierProduct
from tests.factories import ProductFactory, SupplierFactory, UnitFactory, WarehouseFactory

from .helpers import D, days_ago, order, read_xlsx, same_rows

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/purchase-suggestions/"
CREATE = "/api/v1/reports/purchase-suggestions/create-orders/"
CONTRACT = {"product", "warehouse", "available_qty", "ordered_qty", "safety_stock", "suggested_qty", "supplier"}


def stock_in(user, product, warehouse, qty, *, cost="10", date=None):
    ledger.post(
        source=ledger.Source(type="test", id=product.pk * 1000 + warehouse.pk, number=f"T-{product.pk}"),
        movements=[ledger.Movement(product=product.pk, warehouse=warehouse.pk, qty=D(qty), unit_cost=D(cost))],
        user=user,
        date=date or days_ago(60),
    )


_sources = iter(range(1, 10_000))


def sales(user, product, warehouse, qty, *, date, source_type="delivery"):
    """A delivery (qty < 0) or sales return (qty > 0) written straight to the ledger, as the
    sales documents of a later issue will."""
    number = next(_sources)
    ledger.post(
        source=ledger.Source(type=source_type, id=number, number=f"DN-{number:06d}"),
        movements=[ledger.Movement(product=product.pk, warehouse=warehouse.pk, qty=D(qty))],
        user=user,
        date=date,
    )


@pytest.fixture
def plan(make_user):
    wh = WarehouseFactory(code="WH-A")
    manager = make_user("management")
    buyer = make_user("purchasing")
    # safety 50, reorder quantity 40: 10 available (12 on hand, 2 reserved), 15 on order.
    water = ProductFactory(sku="P-WATER", safety_stock=D(50), reorder_qty=D(40))
    stock_in(manager, water, wh, 12)
    StockBalance.objects.filter(product=water, warehouse=wh).update(reserved_qty=D(2))
    supplier = SupplierFactory(code="S-MAIN")
    order(buyer, manager, supplier, wh, [(water, 15, "10.00")])
    return {"wh": wh, "manager": manager, "buyer": buyer, "water": water, "supplier": supplier}


def rows_by_sku(rows):
    return {row["sku"]: row for row in rows}


def test_suggestion_arithmetic_with_the_issues_numbers(api_as, plan):
    response = api_as("purchasing").get(URL)

    assert response.status_code == 200
    rows = response.json()["rows"]
    assert len(rows) == 1
    row = rows[0]
    assert set(row) >= CONTRACT
    assert {key: row[key] for key in CONTRACT} == {
        "product": plan["water"].pk,
        "warehouse": plan["wh"].pk,
        "available_qty": "10.0000",
        "ordered_qty": "15.0000",
        "safety_stock": "50.0000",
        # projected 25 < reorder point 50: the shortfall of 25, raised to the reorder quantity 40
        "suggested_qty": "40.0000",
        "supplier": None,
    }
    assert (row["velocity"], row["lead_time_days"], row["reorder_point"], row["projected_qty"]) == (
        "0.0000",
        7,
        "50.0000",
        "25.0000",
    )


def test_nothing_is_suggested_once_the_projected_stock_reaches_the_reorder_point(api_as, plan):
    StockBalance.objects.filter(product=plan["water"], warehouse=plan["wh"]).update(ordered_qty=D(40))

    client = api_as("purchasing")

    assert client.get(URL).json()["rows"] == []
    everything = client.get(URL, {"only_needed": "false"}).json()["rows"]
    assert [(r["sku"], r["suggested_qty"]) for r in everything] == [("P-WATER", "0.0000")]


def test_velocity_from_deliveries_net_of_sales_returns_lead_time_and_rounding(api_as, plan):
    manager, wh = plan["manager"], plan["wh"]
    piece = UnitFactory(name="件", decimals=0)
    gum = ProductFactory(sku="P-GUM", unit=piece, safety_stock=D(20), reorder_qty=D(0))
    supplier = SupplierFactory(code="S-GUM")
    SupplierProduct.objects.create(
        supplier=supplier, product=gum, is_preferred=True, lead_time_days=5, last_price=D("2.50")
    )
    stock_in(manager, gum, wh, 100)
    sales(manager, gum, wh, -30, date=days_ago(40))  # before the 30-day window: not counted
    sales(manager, gum, wh, -56, date=days_ago(5))
    sales(manager, gum, wh, 6, date=days_ago(2), source_type="sales_return")
    # on hand 100 − 30 − 56 + 6 = 20; sold in the window 56 − 6 = 50 → 50/30 a day;
    # reorder point 20 + 50/30 × 5 = 28.3333; shortfall 8.3333 → 9 whole pieces.

    rows = rows_by_sku(api_as("purchasing").get(URL).json()["rows"])

    row = rows["P-GUM"]
    assert (row["available_qty"], row["sold_qty"], row["velocity"], row["lead_time_days"]) == (
        "20.0000",
        "50.0000",
        "1.6667",
        5,
    )
    assert (row["reorder_point"], row["suggested_qty"], row["supplier"]) == ("28.3333", "9.0000", supplier.pk)
    assert (row["supplier_code"], row["last_price"], row["amount"]) == ("S-GUM", "2.500000", "22.50")


def test_a_unit_with_decimals_rounds_up_to_its_precision_and_the_minimum_order_raises_it(api_as, plan):
    manager, wh = plan["manager"], plan["wh"]
    kg = UnitFactory(name="千克", decimals=2)
    rice = ProductFactory(sku="P-RICE", unit=kg, safety_stock=D(20), reorder_qty=D(0))
    link = SupplierProduct.objects.create(supplier=SupplierFactory(), product=rice, is_preferred=True, lead_time_days=5)
    stock_in(manager, rice, wh, 76)
    sales(manager, rice, wh, -56, date=days_ago(1))
    sales(manager, rice, wh, 6, date=days_ago(1), source_type="sales_return")
    client = api_as("purchasing")

    # on hand 76 − 56 + 6 = 26; reorder point 20 + 50/30 × 5 = 28.3333; 2.3333 → 2.34 kg
    assert rows_by_sku(client.get(URL).json()["rows"])["P-RICE"]["suggested_qty"] == "2.3400"

    link.min_order_qty = D(25)
    link.save()
    assert rows_by_sku(client.get(URL).json()["rows"])["P-RICE"]["suggested_qty"] == "25.0000"


@pytest.mark.parametrize(
    ("available", "ordered", "reorder_point", "reorder_qty", "min_order_qty", "decimals", "expected"),
    [
        ("10", "15", "50", "40", "0", 0, "40"),  # the issue's numbers
        ("10", "15", "50", "0", "0", 0, "25"),  # the shortfall
        ("10", "15", "50", "0", "30", 0, "30"),  # raised to the minimum order
        ("10", "15", "25", "40", "30", 0, "0"),  # projected reaches the point: nothing
        ("10", "15", "25.5", "0", "0", 0, "1"),  # 0.5 rounds up to a whole unit
        ("10", "15", "25.5", "0", "0", 3, "0.5"),
        ("-4", "0", "0", "0", "0", 0, "4"),  # reserved beyond stock on hand
    ],
)
def test_suggested_quantity(available, ordered, reorder_point, reorder_qty, min_order_qty, decimals, expected):
    assert suggested_quantity(
        available=D(available),
        ordered=D(ordered),
        reorder_point=D(reorder_point),
        reorder_qty=D(reorder_qty),
        min_order_qty=D(min_order_qty),
        decimals=decimals,
    ) == D(expected)


def test_the_velocity_window_is_a_parameter(plan):
    manager, wh = plan["manager"], plan["wh"]
    gum = ProductFactory(sku="P-GUM", safety_stock=D(1))
    stock_in(manager, gum, wh, 100)
    sales(manager, gum, wh, -20, date=days_ago(9))

    def row(days):
        rows = purchase_suggestions(user=manager, velocity_days=days, only_needed=False)
        return next((r["sold_qty"], r["velocity"], r["reorder_point"]) for r in rows if r["sku"] == "P-GUM")

    assert row(10) == (D(20), D(2), D(15))  # 1 + 2 a day × 7 days
    assert row(9) == (D(0), D(0), D(1))  # the sale was 9 days ago: outside a 9-day window


def test_a_cancelled_delivery_does_not_count_as_sales(api_as, plan):
    manager, wh = plan["manager"], plan["wh"]
    gum = ProductFactory(sku="P-GUM", safety_stock=D(5))
    stock_in(manager, gum, wh, 10)
    source = ledger.Source(type="delivery", id=777, number="DN-000777")
    ledger.post(
        source=source,
        movements=[ledger.Movement(product=gum.pk, warehouse=wh.pk, qty=D(-6))],
        user=manager,
        date=days_ago(3),
    )
    ledger.reverse(source=source, user=manager)

    row = rows_by_sku(api_as("purchasing").get(URL, {"only_needed": "false"}).json()["rows"])["P-GUM"]

    assert (row["sold_qty"], row["velocity"], row["suggested_qty"]) == ("0.0000", "0.0000", "0.0000")


def test_products_with_a_safety_stock_appear_in_every_warehouse_and_clerks_see_only_theirs(api_as, plan, make_user):
    other = WarehouseFactory(code="WH-B")
    WarehouseFactory(code="WH-OLD", is_active=False)
    ProductFactory(sku="P-IDLE")  # no safety stock, no balance: never planned

    rows = api_as("purchasing").get(URL).json()["rows"]
    assert [(r["sku"], r["warehouse_code"], r["available_qty"], r["suggested_qty"]) for r in rows] == [
        ("P-WATER", "WH-A", "10.0000", "40.0000"),
        ("P-WATER", "WH-B", "0.0000", "50.0000"),
    ]

    clerk = api_as("warehouse", warehouses=[other])
    assert [(r["sku"], r["warehouse_code"]) for r in clerk.get(URL).json()["rows"]] == [("P-WATER", "WH-B")]
    # Asking for another warehouse is invalid input, not an empty list.
    refused = clerk.get(URL, {"warehouse": plan["wh"].pk})
    assert refused.status_code == 400
    assert "warehouse" in refused.json()


def test_filters_by_warehouse_supplier_and_search(api_as, plan):
    WarehouseFactory(code="WH-B")
    tea = ProductFactory(sku="P-TEA", name="绿茶", safety_stock=D(3))
    SupplierProduct.objects.create(supplier=plan["supplier"], product=tea, is_preferred=True)
    client = api_as("purchasing")

    def listed(**query):
        return [(r["sku"], r["warehouse_code"]) for r in client.get(URL, query).json()["rows"]]

    assert listed(warehouse=plan["wh"].pk) == [("P-TEA", "WH-A"), ("P-WATER", "WH-A")]
    assert listed(supplier=plan["supplier"].pk) == [("P-TEA", "WH-A"), ("P-TEA", "WH-B")]
    assert listed(search="绿茶") == [("P-TEA", "WH-A"), ("P-TEA", "WH-B")]


def test_the_query_count_does_not_grow_with_the_rows(api_as, plan, django_assert_max_num_queries):
    for n in range(30):
        product = ProductFactory(safety_stock=D(n + 1))
        SupplierProduct.objects.create(supplier=SupplierFactory(), product=product, is_preferred=True)
    WarehouseFactory()
    client = api_as("purchasing")

    with django_assert_max_num_queries(12):
        rows = client.get(URL).json()["rows"]

    assert len(rows) == 62


def test_excel_holds_the_same_rows(api_as, plan):
    WarehouseFactory(code="WH-B")
    client = api_as("purchasing")
    rows = client.get(URL).json()["rows"]

    header, sheet = read_xlsx(client.get(URL, {"format": "xlsx"}))

    assert header[:6] == ["Product ID", "Warehouse ID", "SKU", "Product", "Unit", "Warehouse"]
    keys = [
        "product", "warehouse", "sku", "name", "unit", "warehouse_code", "qty", "reserved_qty", "available_qty",
        "ordered_qty", "projected_qty", "safety_stock", "sold_qty", "velocity", "lead_time_days", "reorder_point",
        "reorder_qty", "min_order_qty", "suggested_qty", "supplier", "supplier_code", "supplier_name", "last_price",
        "unit_price", "amount",
    ]  # fmt: skip
    assert len(header) == len(keys)
    assert same_rows(rows, sheet, keys)


# --- Creating draft orders from the plan -------------------------------------------------------


@pytest.fixture
def catalogue(plan):
    wh2 = WarehouseFactory(code="WH-B")
    main, other = plan["supplier"], SupplierFactory(code="S-OTHER")
    cola = ProductFactory(sku="P-COLA", purchase_price=D("3.00"))
    SupplierProduct.objects.create(supplier=main, product=plan["water"], is_preferred=True, last_price=D("9.50"))
    SupplierProduct.objects.create(supplier=main, product=cola, is_preferred=True)
    return {**plan, "wh2": wh2, "other": other, "cola": cola}


def test_create_orders_groups_lines_by_supplier_and_warehouse(api_as, catalogue):
    c = catalogue
    before = PurchaseOrder.objects.count()
    client = api_as("purchasing")

    response = client.post(
        CREATE,
        {
            "lines": [
                {"product": c["water"].pk, "warehouse": c["wh"].pk, "qty": "40"},
                {"product": c["cola"].pk, "warehouse": c["wh"].pk, "qty": "12"},
                {"product": c["cola"].pk, "warehouse": c["wh2"].pk, "qty": "5"},
                {"product": c["water"].pk, "warehouse": c["wh"].pk, "qty": "7", "supplier": c["other"].pk,
                 "unit_price": "8.80"},
                {"product": c["cola"].pk, "warehouse": c["wh"].pk, "qty": "0"},
            ]
        },
        format="json",
    )  # fmt: skip

    assert response.status_code == 201, response.content
    created = response.json()["orders"]
    assert len(created) == 3
    assert PurchaseOrder.objects.count() == before + 3
    orders = {
        (o.supplier.code, o.warehouse.code): o for o in PurchaseOrder.objects.filter(pk__in=[x["id"] for x in created])
    }
    assert [x["number"] for x in created] == [PurchaseOrder.objects.get(pk=x["id"]).number for x in created]
    lines = {
        key: [(line.product.sku, line.qty, line.unit_price) for line in o.lines.order_by("line_no")]
        for key, o in orders.items()
    }
    assert lines == {
        # the preferred supplier's last price, else the product's purchase price
        ("S-MAIN", "WH-A"): [("P-WATER", D(40), D("9.50")), ("P-COLA", D(12), D("3.00"))],
        ("S-MAIN", "WH-B"): [("P-COLA", D(5), D("3.00"))],
        ("S-OTHER", "WH-A"): [("P-WATER", D(7), D("8.80"))],
    }
    assert {o.status for o in orders.values()} == {"draft"}
    # 40 × 9.50 + 12 × 3.00 = 416.00 net, VAT 49.40 + 4.68
    assert (orders[("S-MAIN", "WH-A")].total_net, orders[("S-MAIN", "WH-A")].total) == (D("416.00"), D("470.08"))


def test_create_orders_refuses_a_line_without_a_supplier_and_creates_nothing(api_as, catalogue):
    c = catalogue
    orphan = ProductFactory(sku="P-ORPHAN")
    before = PurchaseOrder.objects.count()

    response = api_as("purchasing").post(
        CREATE,
        {
            "lines": [
                {"product": c["water"].pk, "warehouse": c["wh"].pk, "qty": "40"},
                {"product": orphan.pk, "warehouse": c["wh"].pk, "qty": "3"},
            ]
        },
        format="json",
    )

    assert response.status_code == 400
    assert "P-ORPHAN" in response.json()["lines"][0]
    assert PurchaseOrder.objects.count() == before


@pytest.mark.parametrize("department", ["warehouse", "finance", "sales"])
def test_create_orders_needs_the_add_purchase_order_permission(api_as, catalogue, department):
    c = catalogue
    before = PurchaseOrder.objects.count()

    response = api_as(department, warehouses=[c["wh"]]).post(
        CREATE, {"lines": [{"product": c["water"].pk, "warehouse": c["wh"].pk, "qty": "40"}]}, format="json"
    )

    assert response.status_code == 403
    assert PurchaseOrder.objects.count() == before


def test_create_orders_validates_its_input(api_as, catalogue):
    client = api_as("purchasing")

    assert client.post(CREATE, {"lines": []}, format="json").status_code == 400
    bad = client.post(
        CREATE, {"lines": [{"product": 999999, "warehouse": catalogue["wh"].pk, "qty": "-1"}]}, format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()["lines"]["0"]) == {"product", "qty"}  # DRF keys list errors by index
