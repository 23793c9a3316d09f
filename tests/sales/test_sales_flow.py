"""The sales loop through the services, with the issue's numbers: stock 20 @ 50.00 average;
order 15 @ 80.00 with 13% VAT → confirm (reserved 15, available 5) → deliver 10 → deliver 5 →
delivered; receivable 1,356.00; gross profit 450.00; return 3 → stock, value, receivable and
gross profit right; a receipt of 1,000 oldest first leaves the right outstanding."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.errors import BusinessError
from apps.finance import receivables
from apps.finance import services as finance
from apps.finance.models import Receivable
from apps.inventory import ledger
from apps.inventory.models import StockBalance, StockLedgerEntry
from apps.sales import services
from apps.sales.checks import check_documents_match_receivables, check_reserved_matches_orders
from apps.sales.models import Delivery, SalesOrder
from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def world(make_user):
    warehouse = WarehouseFactory()
    seller = make_user("sales")
    world = {
        "warehouse": warehouse,
        "product": ProductFactory(sale_price=D("80.00"), tax_rate=D("0.13")),
        "seller": seller,
        "customer": CustomerFactory(payment_terms_days=30, salesperson=seller, credit_limit=None),
        "manager": make_user("management"),
        "clerk": make_user("warehouse", warehouses=[warehouse]),
        "service": make_user("customer_service"),
        "finance": make_user("finance"),
    }
    stock_in(world, "20", "50.00")
    return world


def stock_in(world, qty, cost, product=None):
    ledger.post(
        source=ledger.Source(type="test_opening", id=StockLedgerEntry.objects.count() + 1, number="OPEN"),
        movements=[
            ledger.Movement(
                product=(product or world["product"]).pk, warehouse=world["warehouse"].pk, qty=D(qty), unit_cost=D(cost)
            )
        ],
        user=world["manager"],
        date=DAY,
    )


def balance(world, product=None):
    row = StockBalance.objects.get(product=product or world["product"], warehouse=world["warehouse"])
    return row.qty, row.value, row.reserved_qty, row.qty - row.reserved_qty


def order_for(world, qty="15", price="80.00", customer=None, user=None):
    return services.sales_order_create(
        user=user or world["seller"],
        customer=customer or world["customer"],
        warehouse=world["warehouse"],
        date=DAY,
        lines=[{"product": world["product"], "qty": D(qty), "unit_price": D(price), "tax_rate": D("0.13")}],
    )


def deliver(world, order, qty, day=DAY):
    line = order.lines.get()
    delivery = services.delivery_create(
        user=world["clerk"], sales_order=order, date=day, lines=[{"sales_order_line": line, "qty": D(qty)}]
    )
    return services.delivery_post(delivery=delivery, user=world["clerk"])


def gross_profit(world):
    from apps.sales.reports import gross_profit as report

    rows = report(date_from=DAY, date_to=DAY + datetime.timedelta(days=30), group_by="product")["rows"]
    row = next(row for row in rows if row["key"] == str(world["product"].pk))
    return row["revenue"], row["cost"], row["gross_profit"]


def test_the_whole_loop_to_the_cent(world):
    customer = world["customer"]
    order = order_for(world)
    assert (order.total_net, order.total_tax, order.total) == (D("1200.00"), D("156.00"), D("1356.00"))

    order = services.sales_order_confirm(order=order, user=world["seller"])
    assert order.status == "confirmed"
    assert balance(world) == (D(20), D("1000.00"), D(15), D(5))

    first = deliver(world, order, "10")
    order.refresh_from_db()
    assert order.status == "partially_delivered"
    assert balance(world) == (D(10), D("500.00"), D(5), D(5))
    assert [(line.unit_cost, line.cost_amount) for line in first.lines.all()] == [(D("50.0000"), D("500.00"))]
    assert first.total == D("904.00")

    second = deliver(world, order, "5", day=DAY + datetime.timedelta(days=1))
    order.refresh_from_db()
    assert order.status == "delivered"
    assert order.lines.get().delivered_qty == D(15)
    assert balance(world) == (D(5), D("250.00"), D(0), D(5))

    items = list(Receivable.objects.filter(customer=customer).order_by("id"))
    assert [(r.source_number, r.amount, r.due_date) for r in items] == [
        (first.number, D("904.00"), DAY + datetime.timedelta(days=30)),
        (second.number, D("452.00"), DAY + datetime.timedelta(days=31)),
    ]
    assert receivables.customer_balance(customer.pk) == D("1356.00")
    assert gross_profit(world) == (D("1200.00"), D("750.00"), D("450.00"))

    # Customer service takes 3 back against the first delivery, at its cost of 50.00.
    sales_return = services.sales_return_create(
        user=world["service"],
        delivery=first,
        date=DAY + datetime.timedelta(days=2),
        reason="defective",
        lines=[{"delivery_line": first.lines.get(), "qty": D(3)}],
    )
    sales_return = services.sales_return_post(sales_return=sales_return, user=world["service"])
    assert (sales_return.total_net, sales_return.total) == (D("240.00"), D("271.20"))
    assert sales_return.total_cost == D("150.00")
    assert balance(world) == (D(8), D("400.00"), D(0), D(8))
    assert first.lines.get().returned_qty == D(3)
    assert receivables.customer_balance(customer.pk) == D("1084.80")
    # The credit note settles the delivery it returns against first.
    items = {r.source_number: r for r in Receivable.objects.filter(customer=customer)}
    assert (items[first.number].outstanding, items[second.number].outstanding) == (D("632.80"), D("452.00"))
    assert gross_profit(world) == (D("960.00"), D("600.00"), D("360.00"))

    # A receipt of 1,000 with no allocations goes to the oldest first.
    receipt = finance.customer_receipt_create(user=world["finance"], customer=customer, amount=D("1000"), date=DAY)
    receipt = finance.customer_receipt_post(receipt=receipt, user=world["finance"])
    assert [(a.receivable.source_number, a.amount) for a in receipt.allocations.order_by("id")] == [
        (first.number, D("632.80")),
        (second.number, D("367.20")),
    ]
    items = {r.source_number: r for r in Receivable.objects.filter(customer=customer)}
    assert (items[first.number].status, items[second.number].outstanding) == ("paid", D("84.80"))
    assert receivables.customer_balance(customer.pk) == D("84.80")

    assert check_reserved_matches_orders() == []
    assert check_documents_match_receivables() == []


def test_cancel_and_close_release_the_reservation(world):
    order = services.sales_order_confirm(order=order_for(world), user=world["seller"])
    assert balance(world)[2] == D(15)
    services.sales_order_cancel(order=order, user=world["seller"])
    assert balance(world)[2] == D(0)

    order = services.sales_order_confirm(order=order_for(world, qty="12"), user=world["seller"])
    deliver(world, order, "4")
    assert balance(world)[2:] == (D(8), D(8))
    with pytest.raises(BusinessError) as refused:
        services.sales_order_cancel(order=order, user=world["seller"])
    assert refused.value.code == "invalid_state"
    order = services.sales_order_close(order=order, user=world["seller"], reason="customer cancelled the rest")
    assert order.status == "closed"
    assert balance(world) == (D(16), D("800.00"), D(0), D(16))
    assert check_reserved_matches_orders() == []


def test_cancelling_a_delivery_reserves_its_goods_again(world):
    order = services.sales_order_confirm(order=order_for(world), user=world["seller"])
    delivery = deliver(world, order, "10")
    services.delivery_cancel(delivery=delivery, user=world["clerk"])
    order.refresh_from_db()
    assert order.status == "confirmed"
    assert balance(world) == (D(20), D("1000.00"), D(15), D(5))
    assert Receivable.objects.get(source_number=delivery.number).status == "cancelled"
    assert receivables.customer_balance(world["customer"].pk) == D(0)
    assert check_reserved_matches_orders() == []


def test_a_paid_delivery_cannot_be_cancelled(world):
    order = services.sales_order_confirm(order=order_for(world, qty="1"), user=world["seller"])
    delivery = deliver(world, order, "1")
    receipt = finance.customer_receipt_create(user=world["finance"], customer=world["customer"], amount=D("10"))
    finance.customer_receipt_post(receipt=receipt, user=world["finance"])
    with pytest.raises(BusinessError) as refused:
        services.delivery_cancel(delivery=delivery, user=world["clerk"])
    assert refused.value.code == "invalid_state"
    assert receipt.number in refused.value.detail
    delivery.refresh_from_db()
    assert delivery.status == "posted"
    assert balance(world)[0] == D(19)


def test_delivering_more_than_ordered_is_refused_and_changes_nothing(world):
    order = services.sales_order_confirm(order=order_for(world, qty="5"), user=world["seller"])
    with pytest.raises(BusinessError) as refused:
        deliver(world, order, "6")
    assert refused.value.code == "over_delivery"
    assert refused.value.extra["left"] == "5.0000"
    assert Delivery.objects.count() == 0
    assert balance(world) == (D(20), D("1000.00"), D(5), D(15))


def test_delivering_more_than_on_hand_names_what_is_short(world):
    order = services.sales_order_confirm(order=order_for(world, qty="25"), user=world["seller"])
    assert balance(world)[3] == D(-5)
    delivery = services.delivery_create(user=world["clerk"], sales_order=order)
    with pytest.raises(BusinessError) as refused:
        services.delivery_post(delivery=delivery, user=world["clerk"])
    assert refused.value.code == "insufficient_stock"
    assert world["product"].sku in refused.value.detail
    delivery.refresh_from_db()
    assert delivery.status == "draft"
    assert balance(world) == (D(20), D("1000.00"), D(25), D(-5))
    assert Receivable.objects.count() == 0


def test_returning_more_than_delivered_minus_returned_is_refused(world):
    order = services.sales_order_confirm(order=order_for(world, qty="5"), user=world["seller"])
    delivery = deliver(world, order, "5")
    line = delivery.lines.get()
    first = services.sales_return_create(
        user=world["service"], delivery=delivery, lines=[{"delivery_line": line, "qty": D(3)}]
    )
    services.sales_return_post(sales_return=first, user=world["service"])
    with pytest.raises(BusinessError) as refused:
        services.sales_return_create(
            user=world["service"], delivery=delivery, lines=[{"delivery_line": line, "qty": D(3)}]
        )
    assert refused.value.code == "over_return"
    assert (refused.value.extra["delivered"], refused.value.extra["returned"]) == ("5.0000", "3.0000")
    assert balance(world)[0] == D(18)


def test_two_drafts_cannot_together_return_more_than_delivered(world):
    order = services.sales_order_confirm(order=order_for(world, qty="5"), user=world["seller"])
    delivery = deliver(world, order, "5")
    line = delivery.lines.get()
    drafts = [
        services.sales_return_create(
            user=world["service"], delivery=delivery, lines=[{"delivery_line": line, "qty": D(3)}]
        )
        for _ in range(2)
    ]
    services.sales_return_post(sales_return=drafts[0], user=world["service"])
    with pytest.raises(BusinessError) as refused:
        services.sales_return_post(sales_return=drafts[1], user=world["service"])
    assert refused.value.code == "over_return"
    assert balance(world)[0] == D(18)


def test_an_exchange_is_a_return_plus_a_draft_replacement_delivery(world):
    order = services.sales_order_confirm(order=order_for(world, qty="5"), user=world["seller"])
    delivery = deliver(world, order, "5")
    exchange = services.sales_return_create(
        user=world["service"],
        delivery=delivery,
        is_exchange=True,
        reason="wrong_item",
        lines=[{"delivery_line": delivery.lines.get(), "qty": D(2)}],
    )
    exchange = services.sales_return_post(sales_return=exchange, user=world["service"])
    replacement = exchange.replacements.get()
    assert (replacement.status, replacement.customer, replacement.total) == ("draft", world["customer"], D("180.80"))
    assert [(line.product, line.qty) for line in replacement.lines.all()] == [(world["product"], D(2))]
    assert receivables.customer_balance(world["customer"].pk) == D("452.00") - D("180.80")

    # Customer service cannot ship it; the warehouse does, and the customer owes as before.
    with pytest.raises(PermissionDenied):
        services.delivery_post(delivery=replacement, user=world["service"])
    services.delivery_post(delivery=replacement, user=world["clerk"])
    assert receivables.customer_balance(world["customer"].pk) == D("452.00")
    assert balance(world)[0] == D(15)
    # The exchange cannot be cancelled while its replacement has been delivered.
    with pytest.raises(BusinessError):
        services.sales_return_cancel(sales_return=exchange, user=world["service"])


def test_cancelling_a_return_brings_back_what_it_credited(world):
    order = services.sales_order_confirm(order=order_for(world, qty="5"), user=world["seller"])
    delivery = deliver(world, order, "5")
    returned = services.sales_return_post(
        sales_return=services.sales_return_create(
            user=world["service"], delivery=delivery, lines=[{"delivery_line": delivery.lines.get(), "qty": D(2)}]
        ),
        user=world["service"],
    )
    services.sales_return_cancel(sales_return=returned, user=world["service"])
    delivery.lines.get().refresh_from_db()
    assert delivery.lines.get().returned_qty == D(0)
    assert balance(world)[:2] == (D(15), D("750.00"))
    assert receivables.customer_balance(world["customer"].pk) == D("452.00")
    assert check_documents_match_receivables() == []


def test_confirming_an_empty_or_confirmed_order(world):
    order = order_for(world)
    order.lines.all().delete()
    with pytest.raises(BusinessError) as refused:
        services.sales_order_confirm(order=order, user=world["seller"])
    assert refused.value.code == "invalid_state"
    assert SalesOrder.objects.get(pk=order.pk).status == "draft"
    with pytest.raises(ValidationError):
        services.sales_order_create(
            user=world["seller"], customer=world["customer"], warehouse=world["warehouse"], lines=[]
        )


def test_a_salesperson_cannot_sell_to_another_salespersons_customer(world, make_user):
    other = make_user("sales")
    with pytest.raises(PermissionDenied):
        order_for(world, user=other)
    assert SalesOrder.objects.count() == 0


def test_a_quotation_converts_into_an_order_while_valid(world):
    quotation = services.quotation_create(
        user=world["seller"],
        customer=world["customer"],
        warehouse=world["warehouse"],
        valid_until=datetime.date.today() + datetime.timedelta(days=7),
        lines=[{"product": world["product"], "qty": D(4)}],
    )
    assert quotation.total == D("361.60")  # the product's price of 80.00 and its 13% VAT
    order = services.quotation_convert(quotation=quotation, user=world["seller"])
    quotation.refresh_from_db()
    assert (quotation.status, order.status, order.quotation, order.total) == (
        "converted",
        "draft",
        quotation,
        D("361.60"),
    )
    with pytest.raises(BusinessError):
        services.quotation_convert(quotation=quotation, user=world["seller"])

    expired = services.quotation_create(
        user=world["seller"],
        customer=world["customer"],
        warehouse=world["warehouse"],
        valid_until=datetime.date.today() - datetime.timedelta(days=1),
        lines=[{"product": world["product"], "qty": D(4)}],
    )
    with pytest.raises(BusinessError) as refused:
        services.quotation_convert(quotation=expired, user=world["seller"])
    assert refused.value.code == "invalid_state"
    assert SalesOrder.objects.count() == 1


def test_cancelling_a_receipt_lets_an_open_credit_note_settle_what_is_owed_again(world):
    from apps.finance.checks import check_receivables

    order = services.sales_order_confirm(order=order_for(world, qty="5"), user=world["seller"])
    delivery = deliver(world, order, "5")  # 452.00 owed
    receipt = finance.customer_receipt_create(user=world["finance"], customer=world["customer"], amount=D("452"))
    receipt = finance.customer_receipt_post(receipt=receipt, user=world["finance"])
    services.sales_return_post(
        sales_return=services.sales_return_create(
            user=world["service"], delivery=delivery, lines=[{"delivery_line": delivery.lines.get(), "qty": D(1)}]
        ),
        user=world["service"],
    )
    # Paid in full, so the credit note of 90.40 stays open: the customer is owed it.
    assert receivables.customer_balance(world["customer"].pk) == D("-90.40")

    finance.customer_receipt_cancel(receipt=receipt, user=world["finance"])

    item = Receivable.objects.get(source_number=delivery.number)
    assert (item.outstanding, item.credited) == (D("361.60"), D("90.40"))
    assert receivables.customer_balance(world["customer"].pk) == D("361.60")
    assert check_receivables() == []
