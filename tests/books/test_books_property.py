"""Property test of the general ledger: random sequences of business documents — purchase
receipts and returns, deliveries and sales returns, adjustments of every reason, counts, stock
transfers, supplier payments, customer receipts, cash transfers, other income and expenses — and
cancellations of any of them, on two products (one valued by moving average, one FIFO) in two
warehouses, at awkward costs and prices (six-decimal costs, a cent, zero).

Refusals are part of the game (not enough stock, paying or collecting more than is owed,
returning more than was delivered, cancelling a receipt whose goods have gone): a refused
action is a BusinessError that changed nothing. After every step ``check_books()`` finds
nothing, the trial balance's debits equal its credits, and the balance sheet balances."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from apps.core.errors import BusinessError
from apps.finance import cash, statements
from apps.finance import services as finance
from apps.finance.books import check_books
from apps.finance.models import (
    CashAccount,
    CashMovement,
    CashTransfer,
    CustomerReceipt,
    JournalEntry,
    MoneyCategory,
    MoneyDocument,
    Payable,
    Receivable,
    SupplierPayment,
)
from apps.inventory import services as inventory
from apps.inventory.models import StockAdjustment, StockBalance, StockLedgerEntry, StockTransfer, ValuationMethod
from apps.purchasing import services as purchasing
from apps.purchasing.models import PurchaseReceipt, PurchaseReturn
from apps.sales import services as sales
from apps.sales.models import Delivery, SalesReturn
from tests.factories import CustomerFactory, ProductFactory, SupplierFactory, UserFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 16)
END = datetime.date(2999, 12, 31)  # every entry, whatever today is
REFUSALS = {"insufficient_stock", "over_allocation", "over_return", "invalid_state"}

pick = st.integers(min_value=0, max_value=1000)
qty = st.integers(min_value=1, max_value=15).map(Decimal)
cost = st.sampled_from(["20.00", "3.333333", "0.01", "7.777777"]).map(Decimal)
price = st.sampled_from(["50.00", "33.333333", "0.01", "0"]).map(Decimal)
rate = st.sampled_from(["0.13", "0.09", "0"]).map(Decimal)
amount = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("3000"), places=2)
reason = st.sampled_from(["opening", "found", "scrap", "damage", "gift", "internal_use", "other"])

steps = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), pick, qty, cost, rate),
        st.tuples(st.just("return_purchase"), pick, qty),
        st.tuples(st.just("deliver"), pick, pick, qty, price, rate),
        st.tuples(st.just("return_sale"), pick, qty),
        st.tuples(st.just("adjust"), pick, pick, st.integers(min_value=-8, max_value=8), reason, st.booleans()),
        st.tuples(st.just("count"), pick, pick, st.integers(min_value=-5, max_value=5)),
        st.tuples(st.just("transfer_stock"), pick, qty),
        st.tuples(st.just("pay"), amount, st.booleans()),
        st.tuples(st.just("collect"), amount, st.booleans()),
        st.tuples(st.just("move_money"), st.booleans(), amount),
        st.tuples(st.just("money"), st.sampled_from(["income", "expense"]), pick, amount, st.booleans()),
        st.tuples(st.just("cancel"), pick, pick),
    ),
    min_size=4,
    max_size=12,
)


class World:
    def __init__(self, methods):
        self.manager = UserFactory(departments=["management"])
        self.cashier = UserFactory(departments=["finance"])
        self.warehouses = [WarehouseFactory(), WarehouseFactory()]
        self.products = [ProductFactory(valuation_method=m, purchase_price=Decimal("20.00")) for m in methods]
        self.supplier = SupplierFactory(payment_terms_days=30)
        self.customer = CustomerFactory(credit_limit=None, payment_terms_days=30)
        self.bank = cash.cash_account_create(
            user=self.cashier,
            code="PB01",
            name="银行",
            kind="bank",
            opening_balance=Decimal("20000.00"),
            opening_date=DAY,
        )
        self.till = finance.default_cash_account()
        self.categories = {
            kind: list(MoneyCategory.objects.filter(kind=kind).order_by("id")) for kind in ("income", "expense")
        }
        # Something to act on from the first step: goods in the first warehouse, a sale of some.
        vat = Decimal("0.13")
        for product in self.products:
            self.receive(product, Decimal("20"), Decimal("20.00"), vat)
        self.deliver(self.warehouses[0], self.products[0], Decimal("4"), Decimal("50.00"), vat)

    @staticmethod
    def choose(items, index):
        items = list(items)
        return items[index % len(items)] if items else None

    def attempt(self, action) -> None:
        before = snapshot()
        try:
            action()
            event("done")
        except BusinessError as refused:
            event(f"refused {refused.code}")
            assert refused.code in REFUSALS, refused.code
            assert snapshot() == before

    def receive(self, product, q, unit_cost, tax_rate):
        receipt = purchasing.purchase_receipt_create(
            user=self.manager,
            supplier=self.supplier,
            warehouse=self.warehouses[0],
            date=DAY,
            lines=[{"product": product, "qty": q, "unit_cost": unit_cost, "tax_rate": tax_rate}],
        )
        purchasing.purchase_receipt_post(receipt=receipt, user=self.manager)

    def deliver(self, warehouse, product, q, unit_price, tax_rate):
        delivery = sales.delivery_create(
            user=self.manager,
            customer=self.customer,
            warehouse=warehouse,
            date=DAY,
            lines=[{"product": product, "qty": q, "unit_price": unit_price, "tax_rate": tax_rate}],
        )
        sales.delivery_post(delivery=delivery, user=self.manager)


def snapshot():
    return (
        JournalEntry.objects.count(),
        StockLedgerEntry.objects.count(),
        sorted(StockBalance.objects.values_list("product_id", "warehouse_id", "qty", "value")),
        CashMovement.objects.count(),
        sorted(CashAccount.objects.values_list("id", "balance")),
        sorted(Payable.objects.values_list("id", "paid", "credited", "status")),
        sorted(Receivable.objects.values_list("id", "paid", "credited", "status")),
    )


def posted(model):
    return model.objects.filter(status="posted").order_by("id")


def cancellations(world: World):
    """What can be cancelled, as (document, how)."""
    user, cashier = world.manager, world.cashier
    return [
        (PurchaseReceipt, lambda d: purchasing.purchase_receipt_cancel(receipt=d, user=user)),
        (PurchaseReturn, lambda d: purchasing.purchase_return_cancel(purchase_return=d, user=user)),
        (Delivery, lambda d: sales.delivery_cancel(delivery=d, user=user)),
        (SalesReturn, lambda d: sales.sales_return_cancel(sales_return=d, user=user)),
        (StockAdjustment, lambda d: inventory.stock_adjustment_cancel(adjustment=d, user=user)),
        (StockTransfer, lambda d: inventory.stock_transfer_cancel(transfer=d, user=user)),
        (SupplierPayment, lambda d: finance.supplier_payment_cancel(payment=d, user=cashier)),
        (CustomerReceipt, lambda d: finance.customer_receipt_cancel(receipt=d, user=cashier)),
        (CashTransfer, lambda d: cash.cash_transfer_cancel(transfer=d, user=cashier)),
        (MoneyDocument, lambda d: cash.money_document_cancel(document=d, user=cashier)),
    ]


def run_step(world: World, step) -> None:  # noqa: C901 - one branch per kind of step
    kind = step[0]
    if kind == "receive":
        _, product, q, unit_cost, tax_rate = step
        world.attempt(lambda: world.receive(world.choose(world.products, product), q, unit_cost, tax_rate))
    elif kind == "return_purchase":
        _, which, q = step
        receipt = world.choose(posted(PurchaseReceipt), which)
        if receipt is None:
            return
        line = receipt.lines.get()

        def send_back():
            document = purchasing.purchase_return_create(
                user=world.manager,
                purchase_receipt=receipt,
                date=DAY,
                lines=[{"purchase_receipt_line": line, "qty": q}],
            )
            purchasing.purchase_return_post(purchase_return=document, user=world.manager)

        world.attempt(send_back)
    elif kind == "deliver":
        _, warehouse, product, q, unit_price, tax_rate = step
        warehouse, product = world.choose(world.warehouses, warehouse), world.choose(world.products, product)
        world.attempt(lambda: world.deliver(warehouse, product, q, unit_price, tax_rate))
    elif kind == "return_sale":
        _, which, q = step
        delivery = world.choose(posted(Delivery), which)
        if delivery is None:
            return

        def take_back():
            document = sales.sales_return_create(
                user=world.manager,
                delivery=delivery,
                date=DAY,
                lines=[{"delivery_line": delivery.lines.get(), "qty": q}],
            )
            sales.sales_return_post(sales_return=document, user=world.manager)

        world.attempt(take_back)
    elif kind == "adjust":
        _, warehouse, product, signed, why, with_cost = step
        if signed == 0:
            return

        def adjust():
            document = inventory.stock_adjustment_create(
                user=world.manager,
                warehouse=world.choose(world.warehouses, warehouse),
                reason=why,
                date=DAY,
                lines=[
                    {
                        "product": world.choose(world.products, product),
                        "qty": Decimal(signed),
                        "unit_cost": Decimal("7.777777") if with_cost and signed > 0 else None,
                    }
                ],
            )
            inventory.stock_adjustment_post(adjustment=document, user=world.manager)

        world.attempt(adjust)
    elif kind == "count":
        _, warehouse, product, delta = step
        warehouse, product = world.choose(world.warehouses, warehouse), world.choose(world.products, product)
        balance = StockBalance.objects.filter(product=product, warehouse=warehouse).first()
        on_hand = balance.qty if balance else Decimal(0)
        counted = max(Decimal(0), on_hand + delta)

        def count():
            document = inventory.stock_count_create(
                user=world.manager,
                warehouse=warehouse,
                date=DAY,
                lines=[{"product": product, "counted_qty": counted}],
            )
            inventory.stock_count_post(count=document, user=world.manager)

        world.attempt(count)
    elif kind == "transfer_stock":
        _, product, q = step

        def move():
            document = inventory.stock_transfer_create(
                user=world.manager,
                from_warehouse=world.warehouses[0],
                to_warehouse=world.warehouses[1],
                date=DAY,
                lines=[{"product": world.choose(world.products, product), "qty": q}],
            )
            inventory.stock_transfer_post(transfer=document, user=world.manager)

        world.attempt(move)
    elif kind == "pay":
        _, total, from_till = step

        def pay():
            payment = finance.supplier_payment_create(
                user=world.cashier,
                supplier=world.supplier,
                amount=total,
                account=world.till if from_till else world.bank,
                date=DAY,
            )
            finance.supplier_payment_post(payment=payment, user=world.cashier)

        world.attempt(pay)
    elif kind == "collect":
        _, total, into_till = step

        def collect():
            receipt = finance.customer_receipt_create(
                user=world.cashier,
                customer=world.customer,
                amount=total,
                account=world.till if into_till else world.bank,
                date=DAY,
            )
            finance.customer_receipt_post(receipt=receipt, user=world.cashier)

        world.attempt(collect)
    elif kind == "move_money":
        _, to_till, total = step
        source, target = (world.bank, world.till) if to_till else (world.till, world.bank)
        transfer = cash.cash_transfer_create(
            user=world.cashier, from_account=source, to_account=target, amount=total, date=DAY
        )
        cash.cash_transfer_post(transfer=transfer, user=world.cashier)
    elif kind == "money":
        _, money_kind, category, total, in_till = step
        document = cash.money_document_create(
            user=world.cashier,
            kind=money_kind,
            account=world.till if in_till else world.bank,
            date=DAY,
            lines=[{"category": world.choose(world.categories[money_kind], category), "amount": total}],
        )
        cash.money_document_post(document=document, user=world.cashier)
    elif kind == "cancel":
        _, which_kind, which = step
        model, cancel = world.choose(cancellations(world), which_kind)
        document = world.choose(posted(model), which)
        if document is not None:
            world.attempt(lambda: cancel(document))


def assert_books_hold() -> None:
    assert check_books() == []
    trial = statements.trial_balance(date_to=END)
    assert trial["total_debit"] == trial["total_credit"]
    sheet = statements.balance_sheet(date=END)
    assert sheet["balanced"], sheet
    assert sheet["total_assets"] == sheet["total_liabilities_and_equity"]


D = Decimal


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    methods=st.lists(st.sampled_from(list(ValuationMethod)), min_size=2, max_size=2, unique=True),
    sequence=steps,
)
# Every kind of step once, then a cancellation of each kind of document.
@example(
    methods=[ValuationMethod.MOVING_AVERAGE, ValuationMethod.FIFO],
    sequence=[
        ("receive", 1, D(3), D("3.333333"), D("0.13")),
        ("return_purchase", 2, D(1)),
        ("deliver", 0, 1, D(5), D("33.333333"), D("0.09")),
        ("return_sale", 1, D(2)),
        ("adjust", 0, 0, -3, "gift", False),
        ("adjust", 1, 1, 4, "found", True),
        ("count", 0, 1, -2),
        ("transfer_stock", 0, D(6)),
        ("pay", D("500.00"), True),
        ("collect", D("100.00"), False),
        ("move_money", True, D("250.00")),
        ("money", "expense", 0, D("1500.00"), False),
        ("money", "income", 1, D("88.88"), True),
        *[("cancel", kind, 0) for kind in range(10)],
    ],
)
def test_the_books_reconcile_after_any_sequence_of_business(methods, sequence):
    with transaction.atomic():
        world = World(methods)
        assert_books_hold()
        for step in sequence:
            run_step(world, step)
            assert_books_hold()
        transaction.set_rollback(True)
