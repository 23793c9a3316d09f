"""Reservations (预留) through the services: confirming an order reserves each line's quantity in
its warehouse; a delivery against it lowers the reservation by what it delivers and its
cancellation puts it back; closing and cancelling release what is still open; direct and
replacement deliveries and returns leave reservations alone. ``check_reserved_matches_orders``
holds after every step, and ``manage.py check_stock`` runs it (kind "reserved")."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from apps.core.errors import BusinessError
from apps.inventory.selectors import STOCK_CHECKS
from apps.sales import services
from apps.sales.checks import check_reserved_matches_orders
from tests.factories import CustomerFactory, ProductFactory, UnitFactory, WarehouseFactory

from .support import D, balance, confirmed, deliver, deliver_direct, give_back, order, stock_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    sh, sz = WarehouseFactory(code="SH01"), WarehouseFactory(code="SZ01")
    seller = make_user("sales")
    world = {
        "sh": sh,
        "sz": sz,
        "water": ProductFactory(sku="WATER", sale_price=D("30.00")),
        "rice": ProductFactory(sku="RICE", sale_price=D("60.00"), unit=UnitFactory(name="千克")),
        "seller": seller,
        "customer": CustomerFactory(salesperson=seller, credit_limit=None),
        "manager": make_user("management"),
        "clerk": make_user("warehouse", warehouses=[sh, sz]),
        "service": make_user("customer_service"),
    }
    stock_in(world["water"], sh, "50", "20.00", user=world["manager"])
    stock_in(world["rice"], sh, "40", "45.00", user=world["manager"])
    stock_in(world["water"], sz, "10", "21.00", user=world["manager"])
    return world


def reserved(world):
    """{(sku, warehouse code): (on hand, reserved, available)} of every balance, and the check."""
    assert check_reserved_matches_orders() == []
    result = {}
    for product in ("water", "rice"):
        for warehouse in ("sh", "sz"):
            qty, _value, held, available = balance(world[product], world[warehouse])
            result[(world[product].sku, world[warehouse].code)] = (qty, held, available)
    return result


def sell(world, warehouse, *lines):
    """A confirmed order in ``warehouse`` of (product key, qty) lines at the product's price."""
    return confirmed(
        user=world["seller"],
        customer=world["customer"],
        warehouse=world[warehouse],
        lines=[(world[product], qty, world[product].sale_price) for product, qty in lines],
    )


def lines_of(sales_order):
    return list(sales_order.lines.order_by("line_no"))


def test_confirm_reserves_per_warehouse_and_a_draft_reserves_nothing(world):
    draft = order(
        user=world["seller"],
        customer=world["customer"],
        warehouse=world["sh"],
        lines=[(world["water"], "9", "30.00")],
    )
    assert reserved(world)[("WATER", "SH01")] == (D(50), D(0), D(50))

    # Two lines of one product add up; each warehouse keeps its own.
    sell(world, "sh", ("water", "5"), ("rice", "2.5"), ("water", "2"))
    sell(world, "sz", ("water", "4"))
    assert reserved(world) == {
        ("WATER", "SH01"): (D(50), D(7), D(43)),
        ("WATER", "SZ01"): (D(10), D(4), D(6)),
        ("RICE", "SH01"): (D(40), D("2.5"), D("37.5")),
        ("RICE", "SZ01"): (D(0), D(0), D(0)),
    }
    # Confirming again changes nothing; the draft still reserves nothing.
    services.sales_order_confirm(order=draft, user=world["seller"])
    services.sales_order_confirm(order=draft, user=world["seller"])
    assert reserved(world)[("WATER", "SH01")] == (D(50), D(16), D(34))


def test_more_can_be_reserved_than_is_on_hand(world):
    """Confirming does not check stock (the warehouse may receive more before it ships):
    available goes negative, and the delivery is what refuses."""
    sales_order = sell(world, "sz", ("water", "14"))
    assert reserved(world)[("WATER", "SZ01")] == (D(10), D(14), D(-4))
    # Rice was never in SZ01: its balance row is made to hold the reservation.
    sell(world, "sz", ("rice", "1"))
    assert reserved(world)[("RICE", "SZ01")] == (D(0), D(1), D(-1))
    with pytest.raises(BusinessError) as refused:
        deliver(sales_order, user=world["clerk"])
    assert refused.value.code == "insufficient_stock"
    assert reserved(world)[("WATER", "SZ01")] == (D(10), D(14), D(-4))


def test_partial_deliveries_lower_it_by_what_they_deliver(world):
    sales_order = sell(world, "sh", ("water", "5"), ("rice", "2.5"), ("water", "2"))
    first, rice, _second = lines_of(sales_order)

    deliver(sales_order, user=world["clerk"], quantities={first: "3", rice: "1.25"})
    assert reserved(world)[("WATER", "SH01")] == (D(47), D(4), D(43))
    assert reserved(world)[("RICE", "SH01")] == (D("38.75"), D("1.25"), D("37.5"))
    sales_order.refresh_from_db()
    assert sales_order.status == "partially_delivered"

    # A draft delivery reserves and releases nothing until it is posted.
    draft = services.delivery_create(user=world["clerk"], sales_order=sales_order)
    assert [(line.product.sku, line.qty) for line in draft.lines.order_by("line_no")] == [
        ("WATER", D(2)),
        ("RICE", D("1.25")),
        ("WATER", D(2)),
    ]
    assert reserved(world)[("WATER", "SH01")] == (D(47), D(4), D(43))
    services.delivery_post(delivery=draft, user=world["clerk"])
    assert reserved(world)[("WATER", "SH01")] == (D(43), D(0), D(43))
    assert reserved(world)[("RICE", "SH01")] == (D("37.5"), D(0), D("37.5"))
    sales_order.refresh_from_db()
    assert (sales_order.status, [line.delivered_qty for line in lines_of(sales_order)]) == (
        "delivered",
        [D(5), D("2.5"), D(2)],
    )


def test_cancelling_a_delivery_puts_the_reservation_back(world):
    sales_order = sell(world, "sh", ("water", "5"), ("rice", "2.5"))
    water, rice = lines_of(sales_order)
    first = deliver(sales_order, user=world["clerk"], quantities={water: "5"})
    second = deliver(sales_order, user=world["clerk"], quantities={rice: "2.5"})
    assert reserved(world)[("WATER", "SH01")] == (D(45), D(0), D(45))
    sales_order.refresh_from_db()
    assert sales_order.status == "delivered"

    services.delivery_cancel(delivery=first, user=world["clerk"])
    assert reserved(world)[("WATER", "SH01")] == (D(50), D(5), D(45))
    assert reserved(world)[("RICE", "SH01")] == (D("37.5"), D(0), D("37.5"))
    sales_order.refresh_from_db()
    assert sales_order.status == "partially_delivered"

    services.delivery_cancel(delivery=second, user=world["clerk"])
    assert reserved(world)[("RICE", "SH01")] == (D(40), D("2.5"), D("37.5"))
    sales_order.refresh_from_db()
    assert sales_order.status == "confirmed"


def test_cancel_releases_all_and_close_releases_what_is_open(world):
    cancelled = sell(world, "sh", ("water", "6"))
    services.sales_order_cancel(order=cancelled, user=world["seller"])
    assert reserved(world)[("WATER", "SH01")] == (D(50), D(0), D(50))

    sales_order = sell(world, "sh", ("water", "10"), ("rice", "4"))
    water, _rice = lines_of(sales_order)
    delivery = deliver(sales_order, user=world["clerk"], quantities={water: "4"})
    assert reserved(world)[("WATER", "SH01")] == (D(46), D(6), D(40))
    services.sales_order_close(order=sales_order, user=world["seller"], reason="customer took the rest elsewhere")
    assert reserved(world)[("WATER", "SH01")] == (D(46), D(0), D(46))
    assert reserved(world)[("RICE", "SH01")] == (D(40), D(0), D(40))
    # Closing again releases nothing twice.
    services.sales_order_close(order=sales_order, user=world["seller"])
    assert reserved(world)[("RICE", "SH01")] == (D(40), D(0), D(40))

    # A delivery of a closed order cancelled: the goods come back, nothing is reserved again.
    services.delivery_cancel(delivery=delivery, user=world["clerk"])
    assert reserved(world)[("WATER", "SH01")] == (D(50), D(0), D(50))
    sales_order.refresh_from_db()
    assert (sales_order.status, lines_of(sales_order)[0].delivered_qty) == ("closed", D(0))
    # Nothing more can be delivered against it.
    with pytest.raises(BusinessError) as refused:
        services.delivery_create(user=world["clerk"], sales_order=sales_order)
    assert refused.value.code == "invalid_state"


def test_a_cancel_after_delivery_is_refused_and_releases_nothing(world):
    sales_order = sell(world, "sh", ("water", "10"))
    deliver(sales_order, user=world["clerk"], quantities={lines_of(sales_order)[0]: "1"})
    with pytest.raises(BusinessError) as refused:
        services.sales_order_cancel(order=sales_order, user=world["seller"])
    assert refused.value.code == "invalid_state"
    assert reserved(world)[("WATER", "SH01")] == (D(49), D(9), D(40))


def test_direct_and_replacement_deliveries_and_returns_leave_reservations_alone(world):
    sales_order = sell(world, "sh", ("water", "8"))
    assert reserved(world)[("WATER", "SH01")] == (D(50), D(8), D(42))

    direct = deliver_direct(
        user=world["clerk"], customer=world["customer"], warehouse=world["sh"], lines=[(world["water"], "3", "30.00")]
    )
    assert reserved(world)[("WATER", "SH01")] == (D(47), D(8), D(39))

    # A return against the order's delivery brings goods back; the order stays delivered.
    against_order = deliver(sales_order, user=world["clerk"])
    assert reserved(world)[("WATER", "SH01")] == (D(39), D(0), D(39))
    give_back(against_order, user=world["service"], quantities={against_order.lines.get(): "2"}, reason="damaged")
    assert reserved(world)[("WATER", "SH01")] == (D(41), D(0), D(41))
    sales_order.refresh_from_db()
    assert sales_order.status == "delivered"

    # An exchange of the direct delivery: its replacement is a delivery without an order.
    exchange = give_back(
        direct, user=world["service"], quantities={direct.lines.get(): "1"}, reason="wrong_item", is_exchange=True
    )
    assert reserved(world)[("WATER", "SH01")] == (D(42), D(0), D(42))
    services.delivery_post(delivery=exchange.replacements.get(), user=world["clerk"])
    assert reserved(world)[("WATER", "SH01")] == (D(41), D(0), D(41))


def test_check_stock_runs_the_reserved_check(world):
    assert "reserved" in STOCK_CHECKS
    sell(world, "sh", ("water", "5"))

    out = StringIO()
    call_command("check_stock", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["ok"] is True
    assert result["checks"]["reserved"] == {
        "label": "Reserved quantity differs from the confirmed sales order lines",
        "count": 0,
        "violations": [],
    }

    # Reserved quantities changed behind the services' back are found, named and counted.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inventory_stockbalance SET reserved_qty = 7 WHERE product_id = %s AND warehouse_id = %s",
            [world["water"].pk, world["sh"].pk],
        )
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("check_stock", stdout=out)
    assert failed.value.returncode == 1
    report = out.getvalue()
    assert "Reserved quantity differs from the confirmed sales order lines [reserved]: 1" in report
    assert "WATER  SH01" in report
    assert "expected: reserved 5" in report
    assert "found:    reserved 7" in report
    assert [(v.sku, v.warehouse_code) for v in check_reserved_matches_orders()] == [("WATER", "SH01")]
