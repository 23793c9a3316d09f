"""Threads on the general ledger, real PostgreSQL transactions: (a) deliveries, customer
receipts and expenses posted at once against one bank account and the same products keep the
bank's balance, its cash journal and the books exact; (b) a month closed while postings dated in
it are in flight: every posting either committed before the close (and is in the books) or was
refused with ``period_closed`` — nothing dated in the month is committed after the close."""

import datetime
import random
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from apps.core.errors import BusinessError
from apps.finance import cash, periods
from apps.finance import services as finance
from apps.finance.books import check_books
from apps.finance.models import (
    CashAccount,
    CashMovement,
    CustomerReceipt,
    JournalEntry,
    MoneyCategory,
    MoneyDocument,
    PeriodEvent,
    Receivable,
)
from apps.inventory import services as inventory
from apps.inventory.models import StockBalance, StockLedgerEntry
from apps.sales import services as sales
from apps.sales.models import Delivery
from tests.books.support import day
from tests.factories import CustomerFactory, ProductFactory, UserFactory, WarehouseFactory

from .test_purchase_concurrency import run_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

D = Decimal
VAT = D("0.13")
NOVEMBER = datetime.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and real concurrency need PostgreSQL")


@pytest.fixture
def world():
    """A warehouse with 300 of A and B @ 20.00 (opening stock on 2 November), a customer owing
    5 × 565.00 for deliveries on the 3rd, a bank account opened with 10,000.00 on the 1st."""
    warehouse = WarehouseFactory()
    manager = UserFactory(departments=["management"])
    cashier = UserFactory(departments=["finance"])
    products = [ProductFactory(sku=f"GL-{n}", sale_price=D("50.00")) for n in "AB"]
    opening = inventory.stock_adjustment_create(
        user=manager,
        warehouse=warehouse,
        reason="opening",
        date=day(2),
        lines=[{"product": product, "qty": D("300"), "unit_cost": D("20.00")} for product in products],
    )
    inventory.stock_adjustment_post(adjustment=opening, user=manager)
    bank = cash.cash_account_create(
        user=cashier, code="B01", name="工商银行", kind="bank", opening_balance=D("10000.00"), opening_date=day(1)
    )
    world = {
        "warehouse": warehouse,
        "products": products,
        "manager": manager,
        "clerks": [UserFactory(departments=["warehouse"], warehouses=[warehouse]) for _ in range(3)],
        "cashiers": [cashier, *(UserFactory(departments=["finance"]) for _ in range(2))],
        "customer": CustomerFactory(credit_limit=None, payment_terms_days=30),
        "bank": bank,
        "utilities": MoneyCategory.objects.get(kind="expense", name="水电费"),
    }
    for _ in range(5):
        deliver(world, manager, on=day(3), qty="5")
    assert check_books() == []
    return world


def deliver(world, user, *, on, qty="2", rng=None):
    """5 (or ``qty``) of A and of B at 50.00 + 13%: 2 × 2 × 56.50 = 226.00 for 2 each."""
    lines = [
        {"product": product, "qty": D(qty), "unit_price": D("50.00"), "tax_rate": VAT} for product in world["products"]
    ]
    if rng is not None:
        rng.shuffle(lines)  # the lines' order must not matter to the locks
    delivery = sales.delivery_create(
        user=user, customer=world["customer"], warehouse=world["warehouse"], date=on, lines=lines
    )
    return sales.delivery_post(delivery=delivery, user=user)


def collect(world, user, amount, *, on):
    receipt = finance.customer_receipt_create(
        user=user, customer=world["customer"], amount=D(amount), account=world["bank"], date=on
    )
    return finance.customer_receipt_post(receipt=receipt, user=user)


def spend(world, user, amount, *, on):
    document = cash.money_document_create(
        user=user,
        kind="expense",
        account=world["bank"],
        date=on,
        lines=[{"category": world["utilities"], "amount": D(amount)}],
    )
    return cash.money_document_post(document=document, user=user)


def assert_cash_journal_consistent(account: CashAccount) -> None:
    """In posting order each movement's balance after is the one before plus its amount, and
    the last is the account's balance; the cash journal (date order) ends there too."""
    account.refresh_from_db()
    running = D("0.00")
    for movement in CashMovement.objects.filter(account=account).order_by("id"):
        running += movement.amount
        assert movement.balance_after == running, movement.source_number
    assert running == account.balance
    _opening, rows = cash.cash_journal(account)
    assert rows[-1].running == account.balance


def assert_numbers_gapless(prefix: str, model) -> None:
    found = model.objects.filter(number__startswith=f"{prefix}-2026-").values_list("number", flat=True)
    numbers = sorted(int(number.rsplit("-", 1)[1]) for number in found)
    assert numbers == list(range(1, len(numbers) + 1))


def test_deliveries_receipts_and_expenses_at_once_keep_the_books_exact(world):
    """9 threads × 6 documents: 3 clerks deliver 2 A + 2 B each time (226.00), 3 cashiers
    collect 150.00, 3 pay 40.00 of utilities, all from/into the bank on 20 November."""
    rounds = 6

    def work(index):
        rng = random.Random(index)
        done = []
        for _ in range(rounds):
            if index < 3:
                done.append(deliver(world, world["clerks"][index], on=day(20), rng=rng).number)
            elif index < 6:
                done.append(collect(world, world["cashiers"][index - 3], "150.00", on=day(20)).number)
            else:
                done.append(spend(world, world["cashiers"][index - 6], "40.00", on=day(20)).number)
        return done

    results = run_threads(work, threads=9)

    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    assert sum(len(r) for r in results) == 54
    bank = CashAccount.objects.get(pk=world["bank"].pk)
    # 10,000 + 18 × 150.00 − 18 × 40.00
    assert bank.balance == D("11980.00")
    assert_cash_journal_consistent(bank)
    assert CashMovement.objects.filter(account=bank).count() == 1 + 18 + 18
    # Stock: 300 − 5 × 5 − 18 × 2 = 239 of each, at 20.00.
    assert sorted(StockBalance.objects.values_list("qty", "value")) == [(D("239"), D("4780.00"))] * 2
    # The customer owes 5 × 565.00 + 18 × 226.00 − 18 × 150.00.
    owed = sum(r.outstanding for r in Receivable.objects.filter(customer=world["customer"]))
    assert owed == D("2825.00") + D("4068.00") - D("2700.00")
    assert JournalEntry.objects.filter(status="posted").count() == 2 + 5 + 54
    assert_numbers_gapless("JE", JournalEntry)
    assert check_books() == []


def test_closing_a_month_while_postings_dated_in_it_are_in_flight(world):
    """6 threads draft and post (in one transaction each) deliveries, receipts and expenses
    dated 20 November as fast as they can; a seventh closes November after a moment. Each
    posting thread stops at its first refusal."""
    closer = world["cashiers"][0]
    outcomes: dict[int, list] = {}

    def post_until_refused(index):
        rng = random.Random(index)
        results = []
        started = time.monotonic()
        while time.monotonic() - started < 20:
            try:
                with transaction.atomic():
                    if index < 2:
                        document = deliver(world, world["clerks"][index], on=day(20), rng=rng)
                    elif index < 4:
                        document = collect(world, world["cashiers"][index - 1], "10.00", on=day(20))
                    else:
                        document = spend(world, world["cashiers"][index - 3], "10.00", on=day(20))
                results.append(("posted", type(document).__name__, document.pk))
            except BusinessError as refused:
                results.append(("refused", refused.code, None))
                break
        return results

    def work(index):
        if index == 6:
            time.sleep(0.4)
            return periods.close_period(month=NOVEMBER, user=closer)
        outcomes[index] = post_until_refused(index)
        return outcomes[index]

    results = run_threads(work, threads=7)

    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    event = PeriodEvent.objects.get(action="close", period__month=NOVEMBER)
    assert periods.is_closed(day(20))
    # Every thread was finally refused, and only ever because the month was closed.
    refusals = [r for thread in results[:6] for r in thread if r[0] == "refused"]
    assert [code for _kind, code, _pk in refusals] == ["period_closed"] * 6
    posted = [r for thread in results[:6] for r in thread if r[0] == "posted"]
    assert posted, "nothing was posted before the close: the test proves nothing"
    # What was posted is in the books; what was refused left nothing (its draft rolled back too).
    by_model = {"Delivery": Delivery, "CustomerReceipt": CustomerReceipt, "MoneyDocument": MoneyDocument}
    for name, model in by_model.items():
        committed = {pk for _kind, kind, pk in posted if kind == name}
        found = set(model.objects.filter(date=day(20)).values_list("pk", flat=True))
        assert found == committed
        assert set(model.objects.filter(pk__in=committed).values_list("status", flat=True)) <= {"posted"}
    # Nothing dated in November was written after the close.
    november = {"date__gte": NOVEMBER, "date__lte": day(30)}
    assert not JournalEntry.objects.filter(posted_at__gte=event.at, **november).exists()
    assert not StockLedgerEntry.objects.filter(posted_at__gte=event.at, **november).exists()
    assert not CashMovement.objects.filter(created_at__gte=event.at, **november).exists()
    entries = JournalEntry.objects.filter(date=day(20), status="posted")
    assert entries.count() == len(posted)
    # The bank: 10,000 + 10.00 per receipt − 10.00 per expense.
    receipts = sum(1 for r in posted if r[1] == "CustomerReceipt")
    expenses = sum(1 for r in posted if r[1] == "MoneyDocument")
    bank = CashAccount.objects.get(pk=world["bank"].pk)
    assert bank.balance == D("10000.00") + D("10.00") * (receipts - expenses)
    assert_cash_journal_consistent(bank)
    assert_numbers_gapless("JE", JournalEntry)
    assert check_books() == []
    # The next month is open: the same posting dated 1 December goes through.
    spend(world, closer, "10.00", on=datetime.date(2026, 12, 1))
    assert check_books() == []


def test_two_closes_at_once_close_once(world):
    results = run_threads(
        lambda i: periods.close_period(month=NOVEMBER, user=world["cashiers"][i]),
        threads=2,
    )
    codes = sorted("closed" if not isinstance(r, Exception) else r.code for r in results)
    assert codes == ["closed", "invalid_state"]
    assert PeriodEvent.objects.filter(action="close").count() == 1
