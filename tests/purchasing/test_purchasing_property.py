"""Property test of purchasing and payables: random sequences of orders, (over-)receipts,
returns against receipts and free returns, supplier payments (oldest first and explicit),
cancellations of each and order closes, for two suppliers and two products of either
valuation method.

After every step: the stock invariants (including ordered quantities against the open order
lines) and the payables invariants hold; each supplier's balance equals posted receipts − posted
returns − posted payments; a refused action is a BusinessError that changed nothing."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.errors import BusinessError
from apps.finance import payables
from apps.finance import services as finance
from apps.finance.checks import check_payables
from apps.finance.models import Payable, SupplierPayment
from apps.inventory.models import StockBalance, ValuationMethod
from apps.inventory.selectors import stock_violations
from apps.purchasing import services
from apps.purchasing.checks import check_documents_match_payables
from apps.purchasing.models import PurchaseOrder, PurchaseReceipt, PurchaseReturn
from tests.factories import ProductFactory, SupplierFactory, UserFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 1)
pick = st.integers(min_value=0, max_value=1000)
qty = st.integers(min_value=1, max_value=30).map(Decimal)
price = st.sampled_from(["10", "3.333333", "0.01", "7.5", "0"]).map(Decimal)
rate = st.sampled_from(["0.13", "0.09", "0"]).map(Decimal)
amount = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("800"), places=2)

steps = st.lists(
    st.one_of(
        st.tuples(st.just("order"), pick, st.lists(st.tuples(pick, qty, price, rate), min_size=1, max_size=2)),
        st.tuples(st.just("receive"), pick, st.lists(st.tuples(pick, qty), min_size=1, max_size=2)),
        st.tuples(st.just("receive"), pick, st.lists(st.tuples(pick, qty), min_size=1, max_size=2)),
        st.tuples(st.just("free_receipt"), pick, pick, qty, price),
        st.tuples(st.just("return"), pick, pick, qty),
        st.tuples(st.just("free_return"), pick, pick, qty),
        st.tuples(st.just("pay"), pick, amount, st.booleans()),
        st.tuples(st.just("cancel_receipt"), pick),
        st.tuples(st.just("cancel_return"), pick),
        st.tuples(st.just("cancel_payment"), pick),
        st.tuples(st.just("close"), pick),
    ),
    min_size=1,
    max_size=14,
)

REFUSALS = {"over_receipt", "over_return", "over_allocation", "invalid_state", "insufficient_stock"}


class World:
    def __init__(self, methods):
        self.buyer, self.manager, self.clerk, self.accountant = (
            UserFactory(departments=[department])
            for department in ("purchasing", "management", "management", "finance")
        )
        self.warehouse = WarehouseFactory()
        self.suppliers = [SupplierFactory(payment_terms_days=days) for days in (30, 0)]
        self.products = [ProductFactory(valuation_method=method) for method in methods]

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


def snapshot():
    return (
        sorted(StockBalance.objects.values_list("product_id", "warehouse_id", "qty", "value", "ordered_qty")),
        sorted(Payable.objects.values_list("id", "paid", "credited", "status")),
        sorted(PurchaseOrder.objects.values_list("id", "status")),
        sorted(PurchaseReceipt.objects.values_list("id", "status")),
        sorted(PurchaseReturn.objects.values_list("id", "status")),
        sorted(SupplierPayment.objects.values_list("id", "status")),
    )


def run_step(world: World, step) -> None:
    kind = step[0]
    if kind == "order":
        _, supplier, lines = step
        order = services.purchase_order_create(
            user=world.buyer,
            supplier=world.choose(world.suppliers, supplier),
            warehouse=world.warehouse,
            date=DAY,
            lines=[
                {"product": world.choose(world.products, p), "qty": q, "unit_price": u, "tax_rate": r}
                for p, q, u, r in lines
            ],
        )
        services.purchase_order_submit(order=order, user=world.buyer)
        services.purchase_order_approve(order=order, user=world.manager)
    elif kind == "receive":
        _, which, lines = step
        order = world.choose(PurchaseOrder.objects.order_by("id"), which)
        if order is None:
            return
        order_lines = list(order.lines.order_by("id"))

        receipt = world.draft(
            lambda: services.purchase_receipt_create(
                user=world.clerk,
                purchase_order=order,
                lines=[{"purchase_order_line": world.choose(order_lines, p), "qty": q} for p, q in lines],
            )
        )
        if receipt is not None:
            world.attempt(lambda: services.purchase_receipt_post(receipt=receipt, user=world.clerk))
    elif kind == "free_receipt":
        _, supplier, product, q, u = step
        receipt = services.purchase_receipt_create(
            user=world.clerk,
            supplier=world.choose(world.suppliers, supplier),
            warehouse=world.warehouse,
            lines=[{"product": world.choose(world.products, product), "qty": q, "unit_cost": u}],
        )
        world.attempt(lambda: services.purchase_receipt_post(receipt=receipt, user=world.clerk))
    elif kind == "return":
        _, which, line, q = step
        receipt = world.choose(PurchaseReceipt.objects.filter(status="posted").order_by("id"), which)
        if receipt is None:
            return
        receipt_line = world.choose(receipt.lines.order_by("id"), line)

        document = world.draft(
            lambda: services.purchase_return_create(
                user=world.clerk, purchase_receipt=receipt, lines=[{"purchase_receipt_line": receipt_line, "qty": q}]
            )
        )
        if document is not None:
            world.attempt(lambda: services.purchase_return_post(purchase_return=document, user=world.clerk))
    elif kind == "free_return":
        _, supplier, product, q = step
        document = services.purchase_return_create(
            user=world.clerk,
            supplier=world.choose(world.suppliers, supplier),
            warehouse=world.warehouse,
            lines=[{"product": world.choose(world.products, product), "qty": q}],
        )
        world.attempt(lambda: services.purchase_return_post(purchase_return=document, user=world.clerk))
    elif kind == "pay":
        _, supplier, total, explicit = step
        supplier = world.choose(world.suppliers, supplier)
        allocations = []
        if explicit:
            item = Payable.objects.filter(supplier=supplier, status="open", amount__gt=0).order_by("-id").first()
            if item is not None:
                allocations = [{"payable": item, "amount": min(total, item.outstanding)}]
        payment = finance.supplier_payment_create(
            user=world.accountant, supplier=supplier, amount=total, allocations=allocations
        )
        world.attempt(lambda: finance.supplier_payment_post(payment=payment, user=world.accountant))
    elif kind == "cancel_receipt":
        receipt = world.choose(PurchaseReceipt.objects.filter(status="posted").order_by("id"), step[1])
        if receipt is not None:
            world.attempt(lambda: services.purchase_receipt_cancel(receipt=receipt, user=world.clerk))
    elif kind == "cancel_return":
        document = world.choose(PurchaseReturn.objects.filter(status="posted").order_by("id"), step[1])
        if document is not None:
            world.attempt(lambda: services.purchase_return_cancel(purchase_return=document, user=world.clerk))
    elif kind == "cancel_payment":
        payment = world.choose(SupplierPayment.objects.filter(status="posted").order_by("id"), step[1])
        if payment is not None:
            finance.supplier_payment_cancel(payment=payment, user=world.accountant)
    elif kind == "close":
        order = world.choose(PurchaseOrder.objects.order_by("id"), step[1])
        if order is not None:
            world.attempt(lambda: services.purchase_order_close(order=order, user=world.buyer))


def assert_books_hold(world: World) -> None:
    assert {kind: list(found) for kind, found in stock_violations().items() if found} == {}
    assert check_payables() == []
    assert check_documents_match_payables() == []
    for supplier in world.suppliers:
        receipts = sum(r.total for r in PurchaseReceipt.objects.filter(supplier=supplier, status="posted"))
        returns = sum(r.total for r in PurchaseReturn.objects.filter(supplier=supplier, status="posted"))
        paid = sum(p.amount for p in SupplierPayment.objects.filter(supplier=supplier, status="posted"))
        assert payables.supplier_balance(supplier.pk) == receipts - returns - paid
    for order in PurchaseOrder.objects.prefetch_related("lines"):
        received = {line.pk: line.received_qty for line in order.lines.all()}
        from_receipts = {pk: Decimal(0) for pk in received}
        for receipt in order.receipts.filter(status="posted").prefetch_related("lines"):
            for line in receipt.lines.all():
                from_receipts[line.purchase_order_line_id] += line.qty
        assert received == from_receipts


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    methods=st.lists(st.sampled_from(list(ValuationMethod)), min_size=2, max_size=2),
    sequence=steps,
)
def test_the_books_hold_after_any_sequence_of_purchasing(methods, sequence):
    with transaction.atomic():
        world = World(methods)
        for step in sequence:
            run_step(world, step)
            assert_books_hold(world)
        transaction.set_rollback(True)
