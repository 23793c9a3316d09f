"""Threads on sales and receivables, real PostgreSQL transactions: two confirmations racing for
one customer's remaining credit pass once; two deliveries racing for the last stock or the last
of an order line ship it once; two customer receipts racing for the last amount owed collect it
once; a delivery, a confirmation, a return and a receipt on the same products and customer never
deadlock; a return cancelled while its replacement is being delivered does not cancel a posted
delivery behind the books' back."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from apps.core.errors import BusinessError
from apps.finance import receivables
from apps.finance import services as finance
from apps.finance.checks import check_receivables
from apps.finance.models import CustomerReceipt, Receivable
from apps.inventory.selectors import stock_violations
from apps.sales import services
from apps.sales.checks import check_documents_match_receivables, check_reserved_matches_orders
from apps.sales.models import Delivery, SalesOrder, SalesReturn
from tests.factories import CustomerFactory, ProductFactory, UserFactory, WarehouseFactory
from tests.sales.support import D, balance, deliver_direct, give_back, order, receive_money, stock_in

from .test_purchase_concurrency import client_for, run_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and real concurrency need PostgreSQL")


@pytest.fixture
def world():
    warehouse = WarehouseFactory(code="SH01")
    seller = UserFactory(departments=["sales"])
    manager = UserFactory(departments=["management"])
    world = {
        "warehouse": warehouse,
        "a": ProductFactory(sku="A-1", sale_price=D("100.00")),
        "b": ProductFactory(sku="B-1", sale_price=D("100.00")),
        "seller": seller,
        "manager": manager,
        "customer": CustomerFactory(salesperson=seller, credit_limit=None, payment_terms_days=30),
        "clerks": [UserFactory(departments=["warehouse"], warehouses=[warehouse]) for _ in range(2)],
        "service": UserFactory(departments=["customer_service"]),
        "finance": [UserFactory(departments=["finance"]) for _ in range(2)],
    }
    stock_in(world["a"], warehouse, "100", "50.00", user=manager)
    stock_in(world["b"], warehouse, "100", "40.00", user=manager)
    return world


def sell(world, *lines, customer=None):
    """A draft order of (product key, qty) lines at 100.00 + 13% VAT."""
    return order(
        user=world["seller"],
        customer=customer or world["customer"],
        warehouse=world["warehouse"],
        lines=[(world[product], qty, "100.00") for product, qty in lines],
    )


def assert_books_hold():
    assert {kind: list(found) for kind, found in stock_violations().items() if found} == {}
    assert check_reserved_matches_orders() == []
    assert check_receivables() == []
    assert check_documents_match_receivables() == []


def codes(results):
    """The outcome of each thread: the status of what it returned, or its refusal's code."""
    return [r.code if isinstance(r, BusinessError) else getattr(r, "status", r) for r in results]


@pytest.mark.parametrize("products", [("a", "a"), ("a", "b")], ids=["same product", "other products"])
def test_two_confirmations_racing_for_the_remaining_credit_pass_once(world, products):
    """Limit 1,000.00, two orders of 565.00: whichever confirms first leaves 435.00, too little
    for the other. With other products nothing but the customer's lock puts them in a row."""
    customer = CustomerFactory(salesperson=world["seller"], credit_limit=D("1000.00"))
    drafts = [sell(world, (product, "5"), customer=customer) for product in products]
    assert [draft.total for draft in drafts] == [D("565.00"), D("565.00")]

    results = run_threads(
        lambda i: services.sales_order_confirm(order=drafts[i], user=world["seller"]),
        threads=2,
    )

    assert sorted(codes(results)) == ["confirmed", "credit_limit_exceeded"]
    refused = next(r for r in results if isinstance(r, BusinessError))
    assert {k: refused.extra[k] for k in ("receivables", "open_orders", "order_total", "exposure", "available")} == {
        "receivables": "0",
        "open_orders": "565.00",
        "order_total": "565.00",
        "exposure": "1130.00",
        "available": "435.00",
    }
    winner = drafts[codes(results).index("confirmed")]
    loser = drafts[codes(results).index("credit_limit_exceeded")]
    assert SalesOrder.objects.get(pk=loser.pk).status == "draft"
    # Only the winner's 5 are reserved.
    winner_product = winner.lines.get().product
    assert balance(winner_product, world["warehouse"])[2] == D(5)
    if products[0] != products[1]:
        assert balance(loser.lines.get().product, world["warehouse"])[2] == D(0)
    assert services.credit_position(customer)["available"] == D("435.00")
    assert_books_hold()


def test_two_deliveries_racing_for_the_last_stock_ship_it_once(world):
    """10 on hand, two confirmed orders of 6 (12 reserved): one delivery ships, the other is
    409 ``insufficient_stock`` and its order stays reserved."""
    product = ProductFactory(sku="LAST-1")
    stock_in(product, world["warehouse"], "10", "30.00", user=world["manager"])
    orders = [
        services.sales_order_confirm(
            order=order(
                user=world["seller"],
                customer=world["customer"],
                warehouse=world["warehouse"],
                lines=[(product, "6", "100.00")],
            ),
            user=world["seller"],
        )
        for _ in range(2)
    ]
    clerks = world["clerks"]
    drafts = [services.delivery_create(user=clerks[i], sales_order=orders[i]) for i in range(2)]

    results = run_threads(lambda i: services.delivery_post(delivery=drafts[i], user=clerks[i]), threads=2)

    assert sorted(codes(results)) == ["insufficient_stock", "posted"]
    refused = next(r for r in results if isinstance(r, BusinessError))
    assert "LAST-1" in refused.detail
    assert balance(product, world["warehouse"]) == (D(4), D("120.00"), D(6), D(-2))
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["draft", "posted"]
    assert sorted(SalesOrder.objects.filter(pk__in=[o.pk for o in orders]).values_list("status", flat=True)) == [
        "confirmed",
        "delivered",
    ]
    assert list(Receivable.objects.values_list("amount", flat=True)) == [D("678.00")]
    assert_books_hold()


def test_two_deliveries_racing_for_one_order_line_deliver_it_once(world):
    sales_order = services.sales_order_confirm(order=sell(world, ("a", "10")), user=world["seller"])
    line = sales_order.lines.get()
    clerks = world["clerks"]
    drafts = [
        services.delivery_create(user=clerk, sales_order=sales_order, lines=[{"sales_order_line": line, "qty": D(6)}])
        for clerk in clerks
    ]

    results = run_threads(lambda i: services.delivery_post(delivery=drafts[i], user=clerks[i]), threads=2)

    assert sorted(codes(results)) == ["over_delivery", "posted"]
    refused = next(r for r in results if isinstance(r, BusinessError))
    assert (refused.extra["delivered"], refused.extra["left"]) == ("6.0000", "4.0000")
    line.refresh_from_db()
    assert line.delivered_qty == D(6)
    assert balance(world["a"], world["warehouse"]) == (D(94), D("4700.00"), D(4), D(90))
    assert list(Receivable.objects.values_list("amount", flat=True)) == [D("678.00")]
    assert_books_hold()


def test_one_delivery_posted_from_many_threads_ships_once(world):
    sales_order = services.sales_order_confirm(order=sell(world, ("a", "10")), user=world["seller"])
    clerk = world["clerks"][0]
    delivery = services.delivery_create(user=clerk, sales_order=sales_order)

    results = run_threads(lambda _i: services.delivery_post(delivery=delivery, user=clerk), threads=6)

    assert codes(results) == ["posted"] * 6
    assert balance(world["a"], world["warehouse"]) == (D(90), D("4500.00"), D(0), D(90))
    assert list(Receivable.objects.values_list("amount", flat=True)) == [D("1130.00")]
    assert SalesOrder.objects.get(pk=sales_order.pk).lines.get().delivered_qty == D(10)
    assert_books_hold()


def test_two_receipts_racing_for_the_last_amount_owed_collect_it_once(world):
    """1,130.00 owed, 1,030.00 received: two receipts of 100.00 posted at once through the API."""
    customer, people = world["customer"], world["finance"]
    deliver_direct(
        user=world["clerks"][0], customer=customer, warehouse=world["warehouse"], lines=[(world["a"], "10", "100.00")]
    )
    receive_money(user=people[0], customer=customer, amount="1030.00")
    drafts = [finance.customer_receipt_create(user=person, customer=customer, amount=D(100)) for person in people]

    responses = run_threads(
        lambda i: client_for(people[i]).post(f"/api/v1/customer-receipts/{drafts[i].pk}/post/"), threads=2
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    refused = next(r for r in responses if r.status_code == 409).json()
    assert (refused["code"], refused["owed"]) == ("over_allocation", "0.00")
    assert sorted(CustomerReceipt.objects.values_list("status", flat=True)) == ["draft", "posted", "posted"]
    receivable = Receivable.objects.get()
    assert (receivable.amount, receivable.paid, receivable.outstanding, receivable.status) == (
        D("1130.00"),
        D("1130.00"),
        D("0.00"),
        "paid",
    )
    assert posted_sum(CustomerReceipt, "allocations__amount") == receivable.paid
    assert receivables.customer_balance(customer.pk) == D("0")
    assert_books_hold()


def test_delivery_confirmation_return_and_receipt_on_the_same_goods_never_deadlock(world):
    """Each round, at once: a delivery of A and B, the confirmation of an order of B and A (the
    other way round), a return of A and B and a receipt, all for one customer. Locks are taken
    in one order (documents, balances, customer, open items), so every one of them passes."""
    customer, clerk, service, cashier = world["customer"], world["clerks"][0], world["service"], world["finance"][0]
    rounds = 4
    for _round in range(rounds):
        shipped = services.sales_order_confirm(order=sell(world, ("a", "5"), ("b", "5")), user=world["seller"])
        delivery = services.delivery_create(user=clerk, sales_order=shipped)
        to_confirm = sell(world, ("b", "3"), ("a", "3"))
        earlier = deliver_direct(
            user=clerk,
            customer=customer,
            warehouse=world["warehouse"],
            lines=[(world["b"], "2", "100.00"), (world["a"], "2", "100.00")],
        )
        sales_return = services.sales_return_create(
            user=service,
            delivery=earlier,
            lines=[{"delivery_line": line, "qty": D(1)} for line in earlier.lines.order_by("line_no")],
        )
        receipt = finance.customer_receipt_create(user=cashier, customer=customer, amount=D("50.00"))
        work = [
            lambda: services.delivery_post(delivery=delivery, user=clerk),
            lambda: services.sales_order_confirm(order=to_confirm, user=world["seller"]),
            lambda: services.sales_return_post(sales_return=sales_return, user=service),
            lambda: finance.customer_receipt_post(receipt=receipt, user=cashier),
        ]

        results = run_threads(lambda i, work=work: work[i](), threads=4)

        assert codes(results) == ["posted", "confirmed", "posted", "posted"]

    # Per round: A and B each -2 (direct) +1 (returned) -5 (delivered); 3 of each stay reserved.
    left = 100 - 6 * rounds
    assert balance(world["a"], world["warehouse"])[:3] == (D(left), D(50 * left), D(3 * rounds))
    assert balance(world["b"], world["warehouse"])[:3] == (D(left), D(40 * left), D(3 * rounds))
    delivered = posted_sum(Delivery, "total")
    returned = posted_sum(SalesReturn, "total")
    received = posted_sum(CustomerReceipt, "amount")
    # Per round: 1,130.00 + 452.00 delivered, 226.00 returned, 50.00 received.
    assert (delivered, returned, received) == (D("1582.00") * rounds, D("226.00") * rounds, D("50.00") * rounds)
    assert receivables.customer_balance(customer.pk) == delivered - returned - received
    assert_books_hold()


def test_a_return_cancelled_while_its_replacement_ships_leaves_the_delivery_posted(world):
    """The replacement's posting holds its row until it commits; the return's cancellation
    waits for it, then sees it delivered and is refused (409 ``invalid_state``). It must never
    mark the posted replacement cancelled without taking back its goods and receivable."""
    clerk, service = world["clerks"][0], world["service"]
    delivered = deliver_direct(
        user=clerk, customer=world["customer"], warehouse=world["warehouse"], lines=[(world["a"], "4", "100.00")]
    )
    exchange = give_back(
        delivered, user=service, quantities={delivered.lines.get(): "1"}, reason="wrong_item", is_exchange=True
    )
    replacement = exchange.replacements.get()
    posted, release = threading.Event(), threading.Event()

    def ship():
        with transaction.atomic():
            services.delivery_post(delivery=replacement, user=clerk)
            posted.set()
            assert release.wait(timeout=20)

    def take_back():
        assert posted.wait(timeout=20)
        return services.sales_return_cancel(sales_return=exchange, user=service)

    def release_once_waiting():
        """Let the posting commit once the cancellation waits on a row lock."""
        assert posted.wait(timeout=20)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not waiting_on_a_lock():
            time.sleep(0.02)
        release.set()

    results = run_threads(lambda i: [ship, take_back, release_once_waiting][i](), threads=3)

    assert isinstance(results[1], BusinessError), results[1]
    assert results[1].code == "invalid_state"
    assert replacement.number in results[1].detail
    assert (Delivery.objects.get(pk=replacement.pk).status, SalesReturn.objects.get(pk=exchange.pk).status) == (
        "posted",
        "posted",
    )
    # 4 out, 1 back, 1 out again; the customer owes the 4 delivered.
    assert balance(world["a"], world["warehouse"])[0] == D(96)
    assert receivables.customer_balance(world["customer"].pk) == D("452.00")
    assert_books_hold()


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def posted_sum(model, field: str) -> Decimal:
    return model.objects.filter(status="posted").aggregate(total=Sum(field))["total"] or Decimal(0)
