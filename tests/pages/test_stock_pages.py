"""Stock pages: the balances list (库存余额) and the stock card (库存台账)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.inventory import ledger, services
from apps.inventory.models import AdjustmentReason, StockBalance
from tests.factories import CategoryFactory, ProductFactory, UserFactory, WarehouseFactory
from tests.inventory.ledger_helpers import D, post

pytestmark = pytest.mark.django_db

BALANCES, CARD = "/inventory/stock/balances/", "/inventory/stock/card/"


@pytest.fixture
def stock():
    clerk = UserFactory(departments=["warehouse"])
    sh, sz = WarehouseFactory(code="SH01", name="上海总仓"), WarehouseFactory(code="SZ01", name="深圳仓")
    snacks = CategoryFactory(name="零食")
    water = ProductFactory(sku="W-001", name="矿泉水", barcode="6901", safety_stock=50)
    chips = ProductFactory(sku="S-001", name="薯片", category=snacks, safety_stock=2)
    post(clerk, (water, sh, 30, "3.333333"), date=datetime.date(2026, 11, 1))
    post(clerk, (water, sh, -4), date=datetime.date(2026, 11, 10))
    post(clerk, (water, sz, 2, "3.5"), (chips, sz, 5, "1.2"), date=datetime.date(2026, 11, 12))
    StockBalance.objects.filter(product=water, warehouse=sh).update(reserved_qty=3, ordered_qty=10)
    return {"clerk": clerk, "sh": sh, "sz": sz, "water": water, "chips": chips, "snacks": snacks}


def listed(response):
    return [(row["obj"].product.sku, row["obj"].warehouse.code) for row in response.context["rows"]]


def cells(response, index):
    return [cell["text"] for cell in response.context["rows"][index]["cells"]]


def test_the_balances_page_shows_every_figure_and_a_totals_row(client_as, stock):
    response = client_as("management").get(BALANCES)

    assert response.status_code == 200
    assert listed(response) == [("S-001", "SZ01"), ("W-001", "SH01"), ("W-001", "SZ01")]
    headers = [header["label"] for header in response.context["headers"]]
    assert headers == [
        "SKU",
        "Product",
        "Unit",
        "Warehouse",
        "Location",
        "On hand",
        "Available",
        "Reserved",
        "Ordered",
        "Safety stock",
        "Value",
        "Average cost",
    ]
    # 30 @ 3.333333 = 100.00; issue 4 at the average (13.33) -> 26 worth 86.67
    water_sh = ["W-001", "矿泉水", "个", "SH01", "", "26", "23", "3", "10", "50", "¥86.67", "¥3.333462"]
    assert cells(response, 1) == water_sh
    assert [cell["text"] for cell in response.context["totals_row"]] == [
        "Total",
        "",
        "",
        "",
        "",
        "33",
        "30",
        "3",
        "10",
        "",
        "¥99.67",
        "",
    ]
    assert "<tfoot>" in response.text


def test_quantities_below_safety_stock_are_marked(client_as, stock):
    response = client_as("management").get(BALANCES)

    qty_cells = [row["cells"][5] for row in response.context["rows"]]
    assert ["low" in cell["css"] for cell in qty_cells] == [False, True, True]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"search": "kuang"}, []),  # no pinyin on factory products: the service keeps it
        ({"search": "6901"}, [("W-001", "SH01"), ("W-001", "SZ01")]),
        ({"search": "薯片"}, [("S-001", "SZ01")]),
        ({"category": "snacks"}, [("S-001", "SZ01")]),
        ({"low_stock": "true"}, [("W-001", "SH01"), ("W-001", "SZ01")]),
        ({"low_stock": "false"}, [("S-001", "SZ01")]),
        ({"warehouse": "sh"}, [("W-001", "SH01")]),
        ({"ordering": "-qty"}, [("W-001", "SH01"), ("S-001", "SZ01"), ("W-001", "SZ01")]),
    ],
)
def test_balance_filters_live_in_the_url(client_as, stock, query, expected):
    if "category" in query:
        query = {"category": stock["snacks"].pk}
    if "warehouse" in query:
        query = {"warehouse": stock["sh"].pk}

    response = client_as("management").get(BALANCES, query)

    assert listed(response) == expected


def test_the_totals_row_sums_every_filtered_row_not_just_the_page(client_as, stock):
    clerk, wh = stock["clerk"], stock["sh"]
    post(clerk, *[(ProductFactory(), wh, 1, "2") for _ in range(60)])

    response = client_as("management").get(BALANCES, {"warehouse": wh.pk})

    assert len(response.context["rows"]) == 50
    totals = [cell["text"] for cell in response.context["totals_row"]]
    assert (totals[5], totals[10]) == ("86", "¥206.67")  # 26 + 60, 86.67 + 120.00


def test_a_clerk_sees_and_may_pick_only_their_warehouses(client_as, stock):
    client = client_as("warehouse", warehouses=[stock["sz"]])

    response = client.get(BALANCES)

    assert listed(response) == [("S-001", "SZ01"), ("W-001", "SZ01")]
    choices = [label for _value, label in response.context["filter_form"].fields["warehouse"].choices]
    assert choices == ["All", "SZ01 深圳仓"]
    refused = client.get(BALANCES, {"warehouse": stock["sh"].pk})
    assert listed(refused) == [("S-001", "SZ01"), ("W-001", "SZ01")]  # the bad filter is ignored, and said
    assert refused.context["filter_errors"]


def test_a_row_leads_to_its_stock_card_for_those_who_read_the_ledger(client_as, stock):
    client = client_as("warehouse", warehouses=[stock["sh"], stock["sz"]])
    balance = StockBalance.objects.get(product=stock["water"], warehouse=stock["sh"])

    response = client.get(BALANCES)
    row = response.context["rows"][1]

    assert row["cells"][0]["url"] == f"{BALANCES}{balance.pk}/"
    redirect = client.get(row["cells"][0]["url"])
    assert redirect.status_code == 302
    assert redirect["Location"] == f"{CARD}?product={stock['water'].pk}&warehouse={stock['sh'].pk}"


def test_sales_see_balances_without_links_to_the_ledger(client_as, stock):
    client = client_as("sales")
    balance = StockBalance.objects.get(product=stock["water"], warehouse=stock["sh"])

    response = client.get(BALANCES)

    assert len(response.context["rows"]) == 3
    assert all(cell.get("url") is None for row in response.context["rows"] for cell in row["cells"])
    assert client.get(f"{BALANCES}{balance.pk}/").status_code == 403
    assert client.get(CARD).status_code == 403


def test_a_balance_outside_the_clerks_warehouses_is_not_found(client_as, stock):
    client = client_as("warehouse", warehouses=[stock["sz"]])
    balance = StockBalance.objects.get(product=stock["water"], warehouse=stock["sh"])

    assert client.get(f"{BALANCES}{balance.pk}/").status_code == 404


def test_who_may_open_the_stock_pages(client_as, stock):
    assert client_as("it_admin").get(BALANCES).status_code == 403
    anonymous = client_as(None).get(BALANCES)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    assert client_as(None).get(CARD).status_code == 302


def test_the_excel_button_downloads_the_filtered_rows(client_as, stock):
    client = client_as("management")

    response = client.get(BALANCES, {"low_stock": "true"})

    url = response.context["excel_url"]
    assert url == "/api/v1/stock-balances/?low_stock=true&format=xlsx"
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")


def card_rows(response):
    return [
        (row["entry"].source_number, row["in_qty"], row["out_qty"], row["entry"].qty_after, row["entry"].value_after)
        for row in response.context["card"]["rows"]
    ]


def test_the_stock_card_lists_every_entry_with_its_running_balance(client_as, stock):
    client = client_as("warehouse", warehouses=[stock["sh"]])

    response = client.get(CARD, {"product": stock["water"].pk, "warehouse": stock["sh"].pk})

    card = response.context["card"]
    rows = card_rows(response)
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [
        (D(30), None, D(30), D("100.00")),
        (None, D(4), D(26), D("86.67")),
    ]
    assert response.context["card"]["rows"][1]["unit_cost"] == "¥3.3325"
    summary = card["summary"]
    assert (summary.in_qty, summary.out_qty, summary.closing_qty, summary.closing_value) == (
        D(30),
        D(4),
        D(26),
        D("86.67"),
    )
    water, sh = stock["water"].pk, stock["sh"].pk
    assert card["excel_url"] == f"/api/v1/stock-ledger/?product={water}&warehouse={sh}&format=xlsx"
    assert [item["balance"].warehouse.code for item in card["balances"]] == ["SH01"]  # SZ01 is not the clerk's
    assert "矿泉水" in response.text


def test_a_period_starts_with_the_opening_balance(client_as, stock):
    client = client_as("management")

    response = client.get(CARD, {"product": stock["water"].pk, "warehouse": stock["sh"].pk, "date_from": "2026-11-05"})

    summary = response.context["card"]["summary"]
    assert (summary.opening_qty, summary.opening_value) == (D(30), D("100.00"))
    assert (summary.in_qty, summary.out_qty, summary.closing_qty, summary.closing_value) == (
        D(0),
        D(4),
        D(26),
        D("86.67"),
    )
    assert len(response.context["card"]["rows"]) == 1
    assert "Opening balance" in response.text


def test_the_document_number_links_to_the_document(client_as, stock):
    manager = UserFactory(departments=["management"])
    adjustment = services.stock_adjustment_create(
        user=manager,
        warehouse=stock["sh"],
        reason=AdjustmentReason.FOUND,
        lines=[{"product": stock["water"], "qty": Decimal(2), "unit_cost": Decimal("3.5")}],
    )
    services.stock_adjustment_post(adjustment=adjustment, user=manager)
    client = client_as("management")

    response = client.get(CARD, {"product": stock["water"].pk, "warehouse": stock["sh"].pk})

    last = response.context["card"]["rows"][-1]
    assert last["entry"].source_number == adjustment.number
    assert last["source_url"] == f"/inventory/adjustments/{adjustment.pk}/"
    assert last["source_label"] == "Stock adjustment in"
    assert f'href="/inventory/adjustments/{adjustment.pk}/"' in response.text
    assert response.context["card"]["rows"][0]["source_url"] is None  # a source without a page


def test_a_reversal_is_marked(client_as, stock):
    source, _entries = post(stock["clerk"], (stock["water"], stock["sh"], 1, "3"))
    ledger.reverse(source=source, user=stock["clerk"])

    response = client_as("management").get(CARD, {"product": stock["water"].pk, "warehouse": stock["sh"].pk})

    last = response.context["card"]["rows"][-1]["entry"]
    assert last.reversal_of_id is not None
    assert 'class="reversal"' in response.text


@pytest.mark.parametrize(
    ("q", "found"),
    [("W-001", "W-001"), ("w-001", "W-001"), ("6901", "W-001"), ("薯", "S-001")],
)
def test_the_product_is_found_by_sku_barcode_or_name(client_as, stock, q, found):
    response = client_as("management").get(CARD, {"q": q})

    assert response.context["card"]["product"].sku == found


def test_a_typed_product_replaces_the_one_shown(client_as, stock):
    response = client_as("management").get(CARD, {"product": stock["water"].pk, "q": "S-001"})

    assert response.context["card"]["product"] == stock["chips"]


def test_the_card_opens_in_the_first_warehouse_that_holds_the_product(client_as, stock):
    response = client_as("management").get(CARD, {"q": "S-001"})

    assert response.context["card"]["warehouse"] == stock["sz"]


def test_several_matches_are_offered_to_pick_from(client_as, stock):
    ProductFactory(sku="W-002", name="矿泉水 大瓶")

    response = client_as("management").get(CARD, {"q": "矿泉水"})

    assert response.context["card"] is None
    assert [m["product"].sku for m in response.context["matches"]] == ["W-001", "W-002"]
    assert response.context["matches"][0]["url"] == f"{CARD}?product={stock['water'].pk}"


def test_no_match_says_so(client_as, stock):
    response = client_as("management").get(CARD, {"q": "nothing-like-this"})

    assert response.context["matches"] == []
    assert "No product matches." in response.text


def test_a_clerk_cannot_open_the_card_of_another_warehouse(client_as, stock):
    client = client_as("warehouse", warehouses=[stock["sz"]])

    response = client.get(CARD, {"product": stock["water"].pk, "warehouse": stock["sh"].pk})

    assert response.status_code == 200
    assert response.context["card"] is None
    assert "warehouse" in response.context["form"].errors


def test_a_long_card_opens_on_its_latest_page(client_as, stock):
    clerk, wh, water = stock["clerk"], stock["sh"], stock["water"]
    for _ in range(110):
        post(clerk, (water, wh, 1, "2"))
    client = client_as("management")

    latest = client.get(CARD, {"product": water.pk, "warehouse": wh.pk})
    first = client.get(CARD, {"product": water.pk, "warehouse": wh.pk, "page": 1})

    assert latest.context["card"]["page_obj"].number == 2
    assert len(latest.context["card"]["rows"]) == 12
    assert latest.context["card"]["rows"][-1]["entry"].qty_after == D(136)
    assert "<tfoot>" in latest.text
    assert len(first.context["card"]["rows"]) == 100
    assert "<tfoot>" not in first.text


def count_queries(client, url, query):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(queries)


def test_the_pages_take_the_same_queries_for_many_rows_as_for_few(client_as, stock):
    client = client_as("warehouse", warehouses=[stock["sh"]])
    water, wh, clerk = stock["water"], stock["sh"], stock["clerk"]
    card = {"product": water.pk, "warehouse": wh.pk}
    client.get(BALANCES)
    few = (count_queries(client, BALANCES, {}), count_queries(client, CARD, card))

    for _ in range(20):
        post(clerk, (ProductFactory(category=CategoryFactory()), wh, 1, "2"), (water, wh, 1, "2"))
    many = (count_queries(client, BALANCES, {}), count_queries(client, CARD, card))

    assert many == few


def sidebar(html: str) -> str:
    """The menu only (the home page's dashboards link to the same pages)."""
    return re.search(r'<nav class="sidebar".*?</nav>', html, re.S).group(0)


def test_the_menu_has_the_stock_pages(client_as):
    nav = sidebar(client_as("warehouse").get("/").text)
    labels = re.findall(r'<a href="(/inventory/stock/[^"]*)"', nav)
    assert labels == [BALANCES, CARD]
    sales_nav = sidebar(client_as("sales").get("/").text)
    assert re.findall(r'<a href="(/inventory/stock/[^"]*)"', sales_nav) == [BALANCES]
