"""Credit control at confirmation, through the services, with a limit of 2,000.00: what the
customer owes (open receivables net of credit notes) + its confirmed, undelivered orders + this
order, all VAT included, against the limit. Exactly at the limit passes; a cent over is 409
``credit_limit_exceeded`` with every figure; receipts and credit notes make room; no limit
never refuses; management may override with a reason, which is recorded; a refusal changes
nothing (the order stays a draft, nothing is reserved)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from apps.core.errors import BusinessError
from apps.customers.models import Customer
from apps.sales import services
from apps.sales.checks import check_reserved_matches_orders
from apps.sales.models import SalesOrder
from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory

from .support import D, balance, confirmed, deliver, deliver_direct, give_back, order, receive_money, stock_in

pytestmark = pytest.mark.django_db

LIMIT = D("2000.00")
# 10 @ 100.00 + 13% VAT delivered (1,130.00 owed) and 2 @ 100.00 + VAT confirmed (226.00 open)
# leave 644.00: a line of 569.91 is 569.91 + 74.09 VAT = 644.00; of 569.92, 644.01.
OWED, OPEN, ROOM = D("1130.00"), D("226.00"), D("644.00")
AT_LIMIT, CENT_OVER = "569.91", "569.92"


@pytest.fixture
def world(make_user):
    warehouse = WarehouseFactory()
    seller = make_user("sales")
    world = {
        "warehouse": warehouse,
        "product": ProductFactory(sale_price=D("100.00"), tax_rate=D("0.13")),
        "other": ProductFactory(sale_price=D("50.00"), tax_rate=D("0.13")),
        "seller": seller,
        "customer": CustomerFactory(salesperson=seller, credit_limit=LIMIT, payment_terms_days=30),
        "manager": make_user("management"),
        "clerk": make_user("warehouse", warehouses=[warehouse]),
        "service": make_user("customer_service"),
        "finance": make_user("finance"),
    }
    stock_in(world["product"], warehouse, "100", "50.00", user=world["manager"])
    stock_in(world["other"], warehouse, "100", "20.00", user=world["manager"])
    return world


def sell(world, *lines, user=None, customer=None):
    """A draft order of (product key or product, qty, price[, rate]) lines for the customer."""
    lines = [(world[p] if isinstance(p, str) else p, *rest) for p, *rest in lines]
    return order(
        user=user or world["seller"], customer=customer or world["customer"], warehouse=world["warehouse"], lines=lines
    )


@pytest.fixture
def books(world):
    """The customer owes 1,130.00 (a direct delivery) and has 226.00 confirmed, undelivered."""
    delivery = deliver_direct(
        user=world["clerk"],
        customer=world["customer"],
        warehouse=world["warehouse"],
        lines=[(world["product"], "10", "100.00")],
    )
    open_order = confirmed(
        user=world["seller"],
        customer=world["customer"],
        warehouse=world["warehouse"],
        lines=[(world["product"], "2", "100.00")],
    )
    assert (delivery.total, open_order.total) == (OWED, OPEN)
    figures = services.credit_position(world["customer"])
    assert (figures["receivables"], figures["open_orders"], figures["available"]) == (OWED, OPEN, ROOM)
    return {"delivery": delivery, "order": open_order}


def state(sales_order):
    """What a refused confirmation must leave as it was."""
    sales_order = SalesOrder.objects.get(pk=sales_order.pk)
    return (
        sales_order.status,
        sales_order.confirmed_by_id,
        sales_order.credit_override_reason,
        sales_order.credit_override_by_id,
        sales_order.history.count(),
    )


def refusal(world, sales_order, user=None, reason=""):
    """Confirm and expect 409 ``credit_limit_exceeded``; assert nothing changed; the error."""
    before = (state(sales_order), balance(world["product"], world["warehouse"]))
    with pytest.raises(BusinessError) as refused:
        services.sales_order_confirm(order=sales_order, user=user or world["seller"], override_reason=reason)
    assert refused.value.code == "credit_limit_exceeded"
    assert (state(sales_order), balance(world["product"], world["warehouse"])) == before
    assert check_reserved_matches_orders() == []
    return refused.value


def test_exactly_at_the_limit_passes(world, books):
    sales_order = sell(world, ("product", "1", AT_LIMIT))
    assert (sales_order.total_net, sales_order.total_tax, sales_order.total) == (D(AT_LIMIT), D("74.09"), ROOM)

    sales_order = services.sales_order_confirm(order=sales_order, user=world["seller"])

    assert (sales_order.status, sales_order.confirmed_by, sales_order.credit_override_reason) == (
        "confirmed",
        world["seller"],
        "",
    )
    assert balance(world["product"], world["warehouse"]) == (D(90), D("4500.00"), D(3), D(87))
    figures = services.credit_position(world["customer"])
    assert (figures["receivables"], figures["open_orders"], figures["exposure"], figures["available"]) == (
        OWED,
        OPEN + ROOM,
        LIMIT,
        D("0.00"),
    )


def test_a_cent_over_is_refused_with_every_figure(world, books):
    sales_order = sell(world, ("product", "1", CENT_OVER))
    assert sales_order.total == D("644.01")

    error = refusal(world, sales_order)

    assert {name: error.extra[name] for name in error.extra} == {
        "credit_limit": "2000.00",
        "receivables": "1130.00",
        "open_orders": "226.00",
        "order_total": "644.01",
        "exposure": "2000.01",
        "available": "644.00",
        "can_override": False,
    }
    for figure in ("2000.01", "2000.00", "1130.00", "226.00", "644.01", world["customer"].name):
        assert figure in error.detail
    # Nothing of it is reserved: only the 2 of the open order.
    assert balance(world["product"], world["warehouse"])[2:] == (D(2), D(88))


def test_the_order_itself_counts_with_its_vat(world):
    """Nothing owed, nothing open: an order of 1,800.00 net is 2,034.00 with VAT, over 2,000."""
    sales_order = sell(world, ("product", "18", "100.00"))
    error = refusal(world, sales_order)
    assert (error.extra["order_total"], error.extra["exposure"], error.extra["available"]) == (
        "2034.00",
        "2034.00",
        "2000.00",
    )
    # The same goods at 0% VAT fit.
    untaxed = services.sales_order_confirm(order=sell(world, ("product", "18", "100.00", "0")), user=world["seller"])
    assert (untaxed.status, untaxed.total) == ("confirmed", D("1800.00"))


def test_only_the_undelivered_part_of_confirmed_orders_counts(world, books):
    """A partly delivered order counts what is still to go (its delivered part is owed
    instead); drafts, cancelled and closed orders count nothing."""
    line = books["order"].lines.get()
    deliver(books["order"], user=world["clerk"], quantities={line: "1"})
    figures = services.credit_position(world["customer"])
    assert (figures["receivables"], figures["open_orders"]) == (OWED + D("113.00"), D("113.00"))

    sell(world, ("product", "5", "100.00"))  # a draft
    cancelled = confirmed(
        user=world["seller"],
        customer=world["customer"],
        warehouse=world["warehouse"],
        lines=[(world["other"], "1", "50.00")],
    )
    services.sales_order_cancel(order=cancelled, user=world["seller"])
    services.sales_order_close(order=books["order"], user=world["seller"], reason="rest not wanted")
    figures = services.credit_position(world["customer"])
    assert (figures["receivables"], figures["open_orders"], figures["available"]) == (
        D("1243.00"),
        D("0"),
        D("757.00"),
    )
    # Exactly the room left: 669.91 + 87.09 VAT = 757.00.
    sales_order = services.sales_order_confirm(order=sell(world, ("other", "1", "669.91")), user=world["seller"])
    assert (sales_order.status, sales_order.total) == ("confirmed", D("757.00"))


def test_open_orders_are_priced_per_line_to_the_cent(world):
    """3 @ 33.33 + 13% is 99.99 + 13.00 = 112.99; with 1 delivered (37.66 owed) the open 2 are
    66.66 + 8.67 = 75.33 — together exactly the order's total."""
    sales_order = confirmed(
        user=world["seller"],
        customer=world["customer"],
        warehouse=world["warehouse"],
        lines=[(world["other"], "3", "33.33")],
    )
    assert sales_order.total == D("112.99")
    deliver(sales_order, user=world["clerk"], quantities={sales_order.lines.get(): "1"})
    figures = services.credit_position(world["customer"])
    assert (figures["receivables"], figures["open_orders"]) == (D("37.66"), D("75.33"))
    assert figures["receivables"] + figures["open_orders"] == sales_order.total


def test_a_receipt_that_lowers_receivables_lets_it_pass(world, books):
    sales_order = sell(world, ("product", "1", CENT_OVER))
    refusal(world, sales_order)

    receive_money(user=world["finance"], customer=world["customer"], amount="0.01")
    assert services.credit_position(world["customer"])["receivables"] == D("1129.99")

    sales_order = services.sales_order_confirm(order=sales_order, user=world["seller"])
    assert sales_order.status == "confirmed"
    assert balance(world["product"], world["warehouse"])[2] == D(3)
    assert services.credit_position(world["customer"])["available"] == D("0.00")


def test_a_credit_note_counts(world, books):
    """Returning 1 of the delivered 10 writes a credit note of 113.00: the customer owes
    1,017.00 and an order of up to 757.00 fits."""
    sales_order = sell(world, ("product", "1", "669.91"))  # 757.00
    refusal(world, sales_order)

    delivery = books["delivery"]
    give_back(delivery, user=world["service"], quantities={delivery.lines.get(): "1"}, reason="defective")
    figures = services.credit_position(world["customer"])
    assert (figures["receivables"], figures["available"]) == (D("1017.00"), D("757.00"))

    sales_order = services.sales_order_confirm(order=sales_order, user=world["seller"])
    assert sales_order.status == "confirmed"
    assert services.credit_position(world["customer"])["available"] == D("0.00")


def test_a_cancelled_delivery_no_longer_counts(world, books):
    sales_order = sell(world, ("product", "10", "100.00"))  # 1,130.00
    refusal(world, sales_order)
    services.delivery_cancel(delivery=books["delivery"], user=world["clerk"])
    assert services.credit_position(world["customer"])["receivables"] == D("0")
    assert services.sales_order_confirm(order=sales_order, user=world["seller"]).status == "confirmed"


def test_no_limit_always_passes(world, books):
    Customer.objects.filter(pk=world["customer"].pk).update(credit_limit=None)
    sales_order = services.sales_order_confirm(order=sell(world, ("product", "90", "9999.99")), user=world["seller"])
    assert (sales_order.status, sales_order.total, sales_order.credit_override_reason) == (
        "confirmed",
        D("1016998.98"),
        "",
    )
    assert balance(world["product"], world["warehouse"])[2:] == (D(92), D(-2))
    world["customer"].refresh_from_db()
    figures = services.credit_position(world["customer"])
    assert (figures["credit_limit"], figures["available"]) == (None, None)
    assert figures["exposure"] == OWED + OPEN + D("1016998.98")


def test_a_limit_of_zero_is_cash_only(world):
    customer = CustomerFactory(salesperson=world["seller"], credit_limit=D("0.00"))
    error = refusal(world, sell(world, ("other", "1", "0.01"), customer=customer))
    assert (error.extra["order_total"], error.extra["exposure"]) == ("0.01", "0.01")
    # A free order owes nothing: it passes.
    free = services.sales_order_confirm(order=sell(world, ("other", "1", "0"), customer=customer), user=world["seller"])
    assert (free.status, free.total) == ("confirmed", D("0.00"))


def test_management_overrides_with_a_reason_which_is_recorded(world, books):
    sales_order = sell(world, ("product", "1", "1000.00"))  # 1,130.00: 486.00 over

    # Without a reason management is refused too, and told it may override.
    error = refusal(world, sales_order, user=world["manager"])
    assert (error.extra["can_override"], error.extra["exposure"]) == (True, "2486.00")
    # Blanks are no reason.
    refusal(world, sales_order, user=world["manager"], reason="   ")

    sales_order = services.sales_order_confirm(
        order=sales_order, user=world["manager"], override_reason="  Pays on delivery this time  "
    )

    sales_order.refresh_from_db()
    assert (
        sales_order.status,
        sales_order.credit_override_reason,
        sales_order.credit_override_by,
        sales_order.confirmed_by,
    ) == ("confirmed", "Pays on delivery this time", world["manager"], world["manager"])
    assert balance(world["product"], world["warehouse"])[2] == D(3)
    assert services.credit_position(world["customer"])["available"] == D("-486.00")
    assert check_reserved_matches_orders() == []


def test_a_salesperson_cannot_override(world, books):
    sales_order = sell(world, ("product", "1", "1000.00"))
    error = refusal(world, sales_order)
    assert error.extra["can_override"] is False

    before = (state(sales_order), balance(world["product"], world["warehouse"]))
    with pytest.raises(PermissionDenied):
        services.sales_order_confirm(order=sales_order, user=world["seller"], override_reason="I know them")
    assert (state(sales_order), balance(world["product"], world["warehouse"])) == before


def test_a_reason_is_not_recorded_when_no_override_is_needed(world, books):
    sales_order = services.sales_order_confirm(
        order=sell(world, ("product", "1", AT_LIMIT)), user=world["manager"], override_reason="just in case"
    )
    assert (sales_order.status, sales_order.credit_override_reason, sales_order.credit_override_by) == (
        "confirmed",
        "",
        None,
    )


def test_an_overridden_customer_refuses_the_next_order(world, books):
    """Over the limit by an override, every further order is refused until money comes in."""
    services.sales_order_confirm(
        order=sell(world, ("product", "1", "1000.00")), user=world["manager"], override_reason="year-end order"
    )
    error = refusal(world, sell(world, ("other", "1", "0.01")))
    assert (error.extra["open_orders"], error.extra["available"]) == ("1356.00", "-486.00")
    receive_money(user=world["finance"], customer=world["customer"], amount="486.01")
    assert services.sales_order_confirm(order=sell(world, ("other", "1", "0.01")), user=world["seller"]).status == (
        "confirmed"
    )


def test_a_refused_confirmation_leaves_the_draft_editable(world, books):
    sales_order = sell(world, ("product", "1", CENT_OVER))
    refusal(world, sales_order)
    sales_order = services.sales_order_update(
        order=sales_order,
        user=world["seller"],
        lines=[{"product": world["product"], "qty": D(1), "unit_price": D(AT_LIMIT), "tax_rate": D("0.13")}],
    )
    sales_order = services.sales_order_confirm(order=sales_order, user=world["seller"])
    assert (sales_order.status, sales_order.total) == ("confirmed", ROOM)
    assert isinstance(sales_order.total, Decimal)
