"""Property test of sales and receivables: random sequences of orders (confirmed or left as
drafts), confirmations, deliveries against orders (some lines or all that is open) and direct
ones, returns against deliveries and exchanges (whose replacements are shipped), customer
receipts (oldest first and explicit), cancellations of each, order cancels and closes, and new
stock — for two customers (one with a credit limit) and two products of either valuation
method.

After every step: every stock invariant (reserved quantities against the open order lines
included) and every receivables invariant holds; each posted document has its receivable or
credit note; each customer's balance equals posted deliveries − posted returns − posted
receipts; order lines' delivered and delivery lines' returned quantities are their documents'
sums. A confirmation passes exactly when the customer's exposure is within the limit. A refused
action is a BusinessError that changed nothing."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from apps.core.errors import BusinessError
from apps.finance import receivables
from apps.finance import services as finance
from apps.finance.checks import check_receivables
from apps.finance.models import CustomerReceipt, Receivable
from apps.inventory.models import StockBalance, ValuationMethod
from apps.inventory.selectors import stock_violations
from apps.sales import services
from apps.sales.checks import check_documents_match_receivables
from apps.sales.models import Delivery, DeliveryLine, SalesOrder, SalesOrderLine, SalesReturn, SalesReturnLine
from tests.factories import CustomerFactory, ProductFactory, UserFactory, WarehouseFactory

from .support import confirmed, deliver_direct, stock_in

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)
LIMIT = Decimal("1500.00")
pick = st.integers(min_value=0, max_value=1000)
qty = st.integers(min_value=1, max_value=12).map(Decimal)
few = st.integers(min_value=1, max_value=4).map(Decimal)  # what is delivered or returned at a time
price = st.sampled_from(["100", "33.333333", "0.01", "7.5", "0"]).map(Decimal)
rate = st.sampled_from(["0.13", "0.09", "0"]).map(Decimal)
amount = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1500"), places=2)

steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("order"),
            pick,
            st.lists(st.tuples(pick, qty, price, rate), min_size=1, max_size=2),
            st.booleans(),
        ),
        st.tuples(st.just("confirm"), pick),
        st.tuples(st.just("deliver"), pick, st.lists(st.tuples(pick, few), min_size=1, max_size=2)),
        st.tuples(st.just("deliver_all"), pick),
        st.tuples(st.just("direct"), pick, pick, qty, price),
        st.tuples(st.just("return"), pick, pick, few, st.booleans()),
        st.tuples(st.just("return"), pick, pick, few, st.just(True)),
        st.tuples(st.just("ship_replacement"), pick),
        st.tuples(st.just("receive"), pick, amount, st.booleans()),
        st.tuples(st.just("cancel_delivery"), pick),
        st.tuples(st.just("cancel_return"), pick),
        st.tuples(st.just("cancel_receipt"), pick),
        st.tuples(st.just("cancel_order"), pick),
        st.tuples(st.just("close"), pick),
        st.tuples(st.just("stock"), pick, qty),
    ),
    min_size=3,
    max_size=14,
)

REFUSALS = {
    "over_delivery",
    "over_return",
    "over_allocation",
    "invalid_state",
    "insufficient_stock",
    "credit_limit_exceeded",
}


class World:
    def __init__(self, methods):
        self.seller = UserFactory(departments=["sales"])
        self.manager = UserFactory(departments=["management"])
        self.warehouse = WarehouseFactory()
        self.clerk = UserFactory(departments=["warehouse"], warehouses=[self.warehouse])
        self.service = UserFactory(departments=["customer_service"])
        self.cashier = UserFactory(departments=["finance"])
        self.customers = [
            CustomerFactory(salesperson=self.seller, credit_limit=LIMIT, payment_terms_days=30),
            CustomerFactory(salesperson=self.seller, credit_limit=None, payment_terms_days=0),
        ]
        self.products = [ProductFactory(valuation_method=method, sale_price=Decimal("50.00")) for method in methods]
        for index, product in enumerate(self.products):
            stock_in(product, self.warehouse, "30", ("20.00", "7.777777")[index], user=self.manager, day=DAY)
        # Something to act on from the first step: for each customer a posted direct delivery
        # of the first product and a confirmed order of the second.
        first, second = self.products
        for customer in self.customers:
            deliver_direct(user=self.clerk, customer=customer, warehouse=self.warehouse, lines=[(first, "3", "50")])
            confirmed(user=self.seller, customer=customer, warehouse=self.warehouse, lines=[(second, "4", "50")])

    @staticmethod
    def choose(items, index):
        items = list(items)
        return items[index % len(items)] if items else None

    def draft(self, create):
        """A draft made by ``create``, or None when drafting is refused (and wrote nothing)."""
        drafted = []
        self.attempt(lambda: drafted.append(create()))
        return drafted[0] if drafted else None

    def attempt(self, action):
        before = snapshot()
        try:
            action()
        except BusinessError as refused:
            assert refused.code in REFUSALS, refused.code
            assert snapshot() == before
            return refused
        return None

    def confirm(self, order: SalesOrder) -> None:
        """Confirm, and check the credit decision against the figures from before."""
        customer = order.customer
        figures = services.credit_position(customer, order=order)
        refused = self.attempt(lambda: services.sales_order_confirm(order=order, user=self.seller))
        within = customer.credit_limit is None or figures["exposure"] <= customer.credit_limit
        if refused is None:
            assert within, figures
            assert SalesOrder.objects.get(pk=order.pk).status == "confirmed"
        elif refused.code == "credit_limit_exceeded":
            assert not within
            assert refused.extra["exposure"] == str(figures["exposure"])
        else:
            assert refused.code == "invalid_state"


def snapshot():
    return (
        sorted(StockBalance.objects.values_list("product_id", "warehouse_id", "qty", "value", "reserved_qty")),
        sorted(Receivable.objects.values_list("id", "paid", "credited", "status")),
        sorted(SalesOrder.objects.values_list("id", "status")),
        sorted(SalesOrderLine.objects.values_list("id", "delivered_qty")),
        sorted(Delivery.objects.values_list("id", "status")),
        sorted(DeliveryLine.objects.values_list("id", "returned_qty")),
        sorted(SalesReturn.objects.values_list("id", "status")),
        sorted(CustomerReceipt.objects.values_list("id", "status")),
    )


def open_orders():
    return SalesOrder.objects.filter(status__in=["confirmed", "partially_delivered"]).order_by("id")


def posted(model):
    return model.objects.filter(status="posted").order_by("id")


def run_step(world: World, step) -> None:
    kind = step[0]
    if kind == "order":
        _, customer, lines, confirm = step
        order = services.sales_order_create(
            user=world.seller,
            customer=world.choose(world.customers, customer),
            warehouse=world.warehouse,
            date=DAY,
            lines=[
                {"product": world.choose(world.products, p), "qty": q, "unit_price": u, "tax_rate": r}
                for p, q, u, r in lines
            ],
        )
        if confirm:
            world.confirm(order)
    elif kind == "confirm":
        order = world.choose(SalesOrder.objects.filter(status="draft").order_by("id"), step[1])
        if order is not None:
            world.confirm(order)
    elif kind == "deliver":
        _, which, lines = step
        order = world.choose(open_orders(), which)
        if order is None:
            return
        order_lines = list(order.lines.order_by("id"))
        delivery = world.draft(
            lambda: services.delivery_create(
                user=world.clerk,
                sales_order=order,
                date=DAY,
                lines=[{"sales_order_line": world.choose(order_lines, p), "qty": q} for p, q in lines],
            )
        )
        if delivery is not None:
            world.attempt(lambda: services.delivery_post(delivery=delivery, user=world.clerk))
    elif kind == "deliver_all":
        order = world.choose(open_orders(), step[1])
        if order is not None:
            delivery = world.draft(lambda: services.delivery_create(user=world.clerk, sales_order=order, date=DAY))
            if delivery is not None:
                world.attempt(lambda: services.delivery_post(delivery=delivery, user=world.clerk))
    elif kind == "direct":
        _, customer, product, q, u = step
        delivery = services.delivery_create(
            user=world.clerk,
            customer=world.choose(world.customers, customer),
            warehouse=world.warehouse,
            date=DAY,
            lines=[{"product": world.choose(world.products, product), "qty": q, "unit_price": u}],
        )
        world.attempt(lambda: services.delivery_post(delivery=delivery, user=world.clerk))
    elif kind == "return":
        _, which, line, q, exchange = step
        delivery = world.choose(posted(Delivery), which)
        if delivery is None:
            return
        delivery_line = world.choose(delivery.lines.order_by("id"), line)
        document = world.draft(
            lambda: services.sales_return_create(
                user=world.service,
                delivery=delivery,
                date=DAY,
                reason="defective",
                is_exchange=exchange,
                lines=[{"delivery_line": delivery_line, "qty": q}],
            )
        )
        if document is not None:
            world.attempt(lambda: services.sales_return_post(sales_return=document, user=world.service))
    elif kind == "ship_replacement":
        replacement = world.choose(
            Delivery.objects.filter(status="draft", replaces__isnull=False).order_by("id"), step[1]
        )
        if replacement is not None:
            world.attempt(lambda: services.delivery_post(delivery=replacement, user=world.clerk))
    elif kind == "receive":
        _, customer, total, explicit = step
        customer = world.choose(world.customers, customer)
        allocations = []
        if explicit:
            item = Receivable.objects.filter(customer=customer, status="open", amount__gt=0).order_by("-id").first()
            if item is not None:
                allocations = [{"receivable": item, "amount": min(total, item.outstanding)}]
        receipt = finance.customer_receipt_create(
            user=world.cashier, customer=customer, amount=total, allocations=allocations, date=DAY
        )
        world.attempt(lambda: finance.customer_receipt_post(receipt=receipt, user=world.cashier))
    elif kind == "cancel_delivery":
        delivery = world.choose(posted(Delivery), step[1])
        if delivery is not None:
            world.attempt(lambda: services.delivery_cancel(delivery=delivery, user=world.clerk))
    elif kind == "cancel_return":
        document = world.choose(posted(SalesReturn), step[1])
        if document is not None:
            world.attempt(lambda: services.sales_return_cancel(sales_return=document, user=world.service))
    elif kind == "cancel_receipt":
        receipt = world.choose(posted(CustomerReceipt), step[1])
        if receipt is not None:
            finance.customer_receipt_cancel(receipt=receipt, user=world.cashier)
    elif kind == "cancel_order":
        order = world.choose(SalesOrder.objects.exclude(status="cancelled").order_by("id"), step[1])
        if order is not None:
            world.attempt(lambda: services.sales_order_cancel(order=order, user=world.seller))
    elif kind == "close":
        order = world.choose(SalesOrder.objects.exclude(status="draft").order_by("id"), step[1])
        if order is not None:
            world.attempt(lambda: services.sales_order_close(order=order, user=world.seller))
    elif kind == "stock":
        _, product, q = step
        stock_in(world.choose(world.products, product), world.warehouse, q, "25.00", user=world.manager, day=DAY)


def assert_books_hold(world: World) -> None:
    assert {kind: list(found) for kind, found in stock_violations().items() if found} == {}
    assert check_receivables() == []
    assert check_documents_match_receivables() == []
    for customer in world.customers:
        delivered = sum(d.total for d in posted(Delivery).filter(customer=customer))
        returned = sum(r.total for r in posted(SalesReturn).filter(customer=customer))
        received = sum(r.amount for r in posted(CustomerReceipt).filter(customer=customer))
        assert receivables.customer_balance(customer.pk) == delivered - returned - received
    delivered_by_line: dict[int, Decimal] = {}
    for line in DeliveryLine.objects.filter(document__status="posted", sales_order_line__isnull=False):
        delivered_by_line[line.sales_order_line_id] = delivered_by_line.get(line.sales_order_line_id, 0) + line.qty
    for line in SalesOrderLine.objects.all():
        assert line.delivered_qty == delivered_by_line.get(line.pk, 0)
    returned_by_line: dict[int, Decimal] = {}
    for line in SalesReturnLine.objects.filter(document__status="posted", delivery_line__isnull=False):
        returned_by_line[line.delivery_line_id] = returned_by_line.get(line.delivery_line_id, 0) + line.qty
    for line in DeliveryLine.objects.all():
        assert line.returned_qty == returned_by_line.get(line.pk, 0)
    for order in SalesOrder.objects.exclude(status__in=["draft", "cancelled", "closed"]).prefetch_related("lines"):
        lines = list(order.lines.all())
        if all(line.delivered_qty == line.qty for line in lines):
            assert order.status == "delivered"
        elif any(line.delivered_qty > 0 for line in lines):
            assert order.status == "partially_delivered"
        else:
            assert order.status == "confirmed"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    methods=st.lists(st.sampled_from(list(ValuationMethod)), min_size=2, max_size=2),
    sequence=steps,
)
# Found by this test: a receipt paid part of a delivery, an exchange returned all of it (its
# credit note settled the rest and stayed open for what had been paid), then the receipt was
# cancelled: the delivery was owed again beside the open credit note.
@example(
    methods=[ValuationMethod.MOVING_AVERAGE, ValuationMethod.MOVING_AVERAGE],
    sequence=[
        ("close", 250),
        ("receive", 216, Decimal("2.87"), True),
        ("deliver_all", 369),
        ("direct", 398, 0, Decimal(4), Decimal("0.01")),
        ("return", 332, 103, Decimal(3), True),
        ("cancel_delivery", 150),
        ("cancel_receipt", 315),
    ],
)
def test_the_books_hold_after_any_sequence_of_sales(methods, sequence):
    with transaction.atomic():
        world = World(methods)
        for step in sequence:
            run_step(world, step)
            assert_books_hold(world)
        transaction.set_rollback(True)
