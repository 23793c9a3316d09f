"""The posting rules, one document at a time: posting writes exactly the debits and credits of
the table in apps/finance/postings.py, dated the document's date; cancelling writes a new entry
with every line on the other side, dated the day of the cancellation (the original stays as it
was). The books reconcile after every step.

November 2026, product A (purchase price 20.00, 13% VAT) received 100 @ 20.00 unless a test
says otherwise; the cancellations happen on 10 December 2026 ("today")."""

import datetime

import pytest

from apps.core.errors import BusinessError
from apps.finance import cash, journal
from apps.finance import services as finance
from apps.finance.books import check_books
from apps.finance.models import Account, CashMovement, JournalEntry, MoneyCategory
from apps.inventory import services as inventory
from apps.purchasing import services as purchasing
from apps.sales import services as sales
from tests.factories import ProductFactory, WarehouseFactory

from .support import (
    D,
    adjust,
    collect,
    company,
    count,
    day,
    deliver,
    earn,
    entries_of,
    freeze_today,
    lines_of,
    pay,
    receive,
    send_back,
    spend,
    take_back,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 10)
ZERO = D("0")


@pytest.fixture
def world(make_user, monkeypatch):
    freeze_today(monkeypatch, TODAY)
    return company(make_user)


def assert_reversed(original: JournalEntry, reversal: JournalEntry) -> None:
    """The reversal mirrors the original line by line, dated today, and points at it."""
    assert reversal.reversal_of_id == original.pk
    assert reversal.date == TODAY
    assert reversal.status == "posted"
    assert (reversal.source_type, reversal.source_id, reversal.source_number) == (
        original.source_type,
        original.source_id,
        original.source_number,
    )
    assert lines_of(reversal) == [(code, credit, debit) for code, debit, credit in lines_of(original)]
    assert reversal.total == original.total


def posted_and_reversed(source_type: str, document) -> tuple[JournalEntry, JournalEntry]:
    entries = entries_of(source_type, document)
    assert len(entries) == 2, entries
    return entries[0], entries[1]


# --- Purchasing ---------------------------------------------------------------------------


def test_purchase_receipt(world):
    receipt = receive(world, "100", "20.00", on=day(3))

    [entry] = entries_of("purchase_receipt", receipt)
    assert (entry.date, entry.total, entry.status) == (day(3), D("2260.00"), "posted")
    assert lines_of(entry) == [
        ("1405", D("2000.00"), ZERO),
        ("2221.01", D("260.00"), ZERO),
        ("2202", ZERO, D("2260.00")),
    ]
    assert check_books() == []

    purchasing.purchase_receipt_cancel(receipt=receipt, user=world["manager"])

    original, reversal = posted_and_reversed("purchase_receipt", receipt)
    assert original.pk == entry.pk and original.date == day(3)
    assert_reversed(original, reversal)
    assert check_books() == []


def test_purchase_return_against_the_receipt(world):
    receipt = receive(world, "100", "20.00", on=day(3))
    document = send_back(world, receipt, "10", on=day(6))

    [entry] = entries_of("purchase_return", document)
    assert entry.date == day(6)
    assert lines_of(entry) == [
        ("2202", D("226.00"), ZERO),
        ("1405", ZERO, D("200.00")),
        ("2221.01", ZERO, D("26.00")),
    ]
    assert check_books() == []

    purchasing.purchase_return_cancel(purchase_return=document, user=world["manager"])

    assert_reversed(*posted_and_reversed("purchase_return", document))
    assert check_books() == []


def test_the_last_unit_returned_carries_the_rounding_residue_into_cost_of_sales(world):
    """3 @ 3.333333 came in at 10.00 (VAT 1.30). Each unit returned is 3.33 net + 0.43 VAT; the
    first two take 3.33 each out of stock, the last takes the 3.34 left (the stock ledger puts
    the residue into the entry that empties it): the cent goes to 6401 and the entry balances."""
    receipt = receive(world, "3", "3.333333", on=day(3))
    [entry] = entries_of("purchase_receipt", receipt)
    assert lines_of(entry) == [
        ("1405", D("10.00"), ZERO),
        ("2221.01", D("1.30"), ZERO),
        ("2202", ZERO, D("11.30")),
    ]
    returns = [send_back(world, receipt, "1", on=day(4)) for _ in range(3)]
    assert [(r.total_net, r.total_tax, r.total) for r in returns] == [(D("3.33"), D("0.43"), D("3.76"))] * 3
    lines = [lines_of(entries_of("purchase_return", r)[0]) for r in returns]
    assert (
        lines[0]
        == lines[1]
        == [
            ("2202", D("3.76"), ZERO),
            ("1405", ZERO, D("3.33")),
            ("2221.01", ZERO, D("0.43")),
        ]
    )
    assert lines[2] == [
        ("2202", D("3.76"), ZERO),
        ("1405", ZERO, D("3.34")),
        ("2221.01", ZERO, D("0.43")),
        ("6401", D("0.01"), ZERO),
    ]
    assert check_books() == []


# --- Sales ----------------------------------------------------------------------------------


def test_delivery(world):
    receive(world, "100", "20.00", on=day(3))
    delivery = deliver(world, "60", "50.00", on=day(5))

    [entry] = entries_of("delivery", delivery)
    assert (entry.date, entry.total) == (day(5), D("4590.00"))
    assert lines_of(entry) == [
        ("1122", D("3390.00"), ZERO),
        ("6001", ZERO, D("3000.00")),
        ("2221.02", ZERO, D("390.00")),
        ("6401", D("1200.00"), ZERO),
        ("1405", ZERO, D("1200.00")),
    ]
    assert check_books() == []

    sales.delivery_cancel(delivery=delivery, user=world["manager"])

    assert_reversed(*posted_and_reversed("delivery", delivery))
    assert check_books() == []


def test_sales_return(world):
    receive(world, "100", "20.00", on=day(3))
    delivery = deliver(world, "60", "50.00", on=day(5))
    document = take_back(world, delivery, "10", on=day(8))

    [entry] = entries_of("sales_return", document)
    assert entry.date == day(8)
    assert lines_of(entry) == [
        ("6001", D("500.00"), ZERO),
        ("2221.02", D("65.00"), ZERO),
        ("1122", ZERO, D("565.00")),
        ("1405", D("200.00"), ZERO),
        ("6401", ZERO, D("200.00")),
    ]
    assert check_books() == []

    sales.sales_return_cancel(sales_return=document, user=world["manager"])

    assert_reversed(*posted_and_reversed("sales_return", document))
    assert check_books() == []
    # The delivery can be cancelled now that its return is: both entries reversed.
    sales.delivery_cancel(delivery=delivery, user=world["manager"])
    assert_reversed(*posted_and_reversed("delivery", delivery))
    assert check_books() == []


# --- Stock adjustments and counts ---------------------------------------------------------

# (reason, qty, unit cost, lines): 100 A @ 20.00 on hand before.
ADJUSTMENTS = [
    ("opening", "10", "20.00", [("1405", D("200.00"), ZERO), ("3001", ZERO, D("200.00"))]),
    ("found", "5", "20.00", [("1405", D("100.00"), ZERO), ("6301", ZERO, D("100.00"))]),
    ("scrap", "-3", None, [("1405", ZERO, D("60.00")), ("6711", D("60.00"), ZERO)]),
    ("damage", "-4", None, [("1405", ZERO, D("80.00")), ("6711", D("80.00"), ZERO)]),
    ("gift", "-2", None, [("1405", ZERO, D("40.00")), ("6601", D("40.00"), ZERO)]),
    ("internal_use", "-1", None, [("1405", ZERO, D("20.00")), ("6602", D("20.00"), ZERO)]),
    ("other", "6", "20.00", [("1405", D("120.00"), ZERO), ("6301", ZERO, D("120.00"))]),
    ("other", "-6", None, [("1405", ZERO, D("120.00")), ("6711", D("120.00"), ZERO)]),
]


@pytest.mark.parametrize(("reason", "qty", "cost", "expected"), ADJUSTMENTS)
def test_stock_adjustment_by_reason(world, reason, qty, cost, expected):
    receive(world, "100", "20.00", on=day(3))
    adjustment = adjust(world, qty, on=day(9), reason=reason, cost=cost)

    [entry] = entries_of("stock_adjustment", adjustment)
    assert entry.date == day(9)
    assert lines_of(entry) == expected
    assert check_books() == []

    inventory.stock_adjustment_cancel(adjustment=adjustment, user=world["manager"])

    assert_reversed(*posted_and_reversed("stock_adjustment", adjustment))
    assert check_books() == []


def test_stock_adjustment_in_and_out_in_one_document(world):
    """Two lines of one reason ("other"): 6301 for what came in, 6711 for what went out,
    1405 the net."""
    receive(world, "100", "20.00", on=day(3))
    other = ProductFactory(purchase_price=D("8.00"))
    document = inventory.stock_adjustment_create(
        user=world["manager"],
        warehouse=world["warehouse"],
        reason="other",
        date=day(9),
        lines=[
            {"product": world["product"], "qty": D("-5"), "unit_cost": None},
            {"product": other, "qty": D("10"), "unit_cost": D("8.00")},
        ],
    )
    inventory.stock_adjustment_post(adjustment=document, user=world["manager"])

    [entry] = entries_of("stock_adjustment", document)
    assert lines_of(entry) == [
        ("1405", ZERO, D("20.00")),
        ("6301", ZERO, D("80.00")),
        ("6711", D("100.00"), ZERO),
    ]
    by_code = {code: debit - credit for code, debit, credit in lines_of(entry)}
    assert by_code == {"1405": D("-20.00"), "6301": D("-80.00"), "6711": D("100.00")}
    assert check_books() == []


def test_stock_count_gain_and_loss(world):
    """A found 3 of A (+60.00 to 6301) and B short by 2 @ 12.50 (−25.00 to 6711) in one count:
    1405 takes the net 35.00."""
    receive(world, "100", "20.00", on=day(3))
    other = ProductFactory(purchase_price=D("12.50"))
    receive(world, "10", "12.50", on=day(3), product=other)
    document = inventory.stock_count_create(
        user=world["manager"],
        warehouse=world["warehouse"],
        date=day(15),
        lines=[
            {"product": world["product"], "counted_qty": D("103")},
            {"product": other, "counted_qty": D("8")},
        ],
    )
    inventory.stock_count_post(count=document, user=world["manager"])

    [entry] = entries_of("stock_count", document)
    assert entry.date == day(15)
    assert lines_of(entry) == [
        ("1405", D("35.00"), ZERO),
        ("6301", ZERO, D("60.00")),
        ("6711", D("25.00"), ZERO),
    ]
    assert check_books() == []
    # A posted count is corrected by another count, never cancelled.
    with pytest.raises(BusinessError) as refused:
        inventory.stock_count_cancel(count=document, user=world["manager"])
    assert refused.value.code == "invalid_state"
    assert len(entries_of("stock_count", document)) == 1


@pytest.mark.parametrize(
    ("counted", "expected"),
    [
        ("104", [("1405", D("80.00"), ZERO), ("6301", ZERO, D("80.00"))]),
        ("96", [("1405", ZERO, D("80.00")), ("6711", D("80.00"), ZERO)]),
    ],
    ids=["gain", "loss"],
)
def test_stock_count_alone(world, counted, expected):
    receive(world, "100", "20.00", on=day(3))
    document = count(world, counted, on=day(15))
    [entry] = entries_of("stock_count", document)
    assert lines_of(entry) == expected
    assert check_books() == []


def test_stock_count_without_variance_writes_no_entry(world):
    receive(world, "100", "20.00", on=day(3))
    document = count(world, "100", on=day(15))
    assert document.status == "posted"
    assert entries_of("stock_count", document) == []
    assert check_books() == []


def test_stock_transfer_moves_no_value_in_the_books(world):
    receive(world, "100", "20.00", on=day(3))
    before = JournalEntry.objects.count()
    document = inventory.stock_transfer_create(
        user=world["manager"],
        from_warehouse=world["warehouse"],
        to_warehouse=WarehouseFactory(),
        date=day(10),
        lines=[{"product": world["product"], "qty": D("40")}],
    )
    inventory.stock_transfer_post(transfer=document, user=world["manager"])
    assert JournalEntry.objects.count() == before
    assert check_books() == []

    inventory.stock_transfer_cancel(transfer=document, user=world["manager"])
    assert JournalEntry.objects.count() == before
    assert check_books() == []


# --- Money --------------------------------------------------------------------------------


def test_supplier_payment(world):
    receive(world, "100", "20.00", on=day(3))
    payment = pay(world, "2000.00", on=day(20))

    [entry] = entries_of("supplier_payment", payment)
    assert entry.date == day(20)
    assert lines_of(entry) == [("2202", D("2000.00"), ZERO), ("1002", ZERO, D("2000.00"))]
    assert check_books() == []

    finance.supplier_payment_cancel(payment=payment, user=world["finance"])

    assert_reversed(*posted_and_reversed("supplier_payment", payment))
    reversal = CashMovement.objects.get(source_type="supplier_payment", reversal_of__isnull=False)
    assert (reversal.date, reversal.amount) == (TODAY, D("2000.00"))
    world["bank"].refresh_from_db()
    assert world["bank"].balance == D("50000.00")
    assert check_books() == []


def test_customer_receipt_into_the_till(world):
    """Into the default cash account (1001 库存现金) when the receipt names none."""
    receive(world, "100", "20.00", on=day(3))
    deliver(world, "10", "50.00", on=day(5))
    receipt = finance.customer_receipt_create(
        user=world["finance"], customer=world["customer"], amount=D("500.00"), date=day(25)
    )
    receipt = finance.customer_receipt_post(receipt=receipt, user=world["finance"])
    assert receipt.account.code == "1001"

    [entry] = entries_of("customer_receipt", receipt)
    assert entry.date == day(25)
    assert lines_of(entry) == [("1001", D("500.00"), ZERO), ("1122", ZERO, D("500.00"))]
    assert check_books() == []

    finance.customer_receipt_cancel(receipt=receipt, user=world["finance"])

    assert_reversed(*posted_and_reversed("customer_receipt", receipt))
    assert check_books() == []


def test_customer_receipt_into_the_bank(world):
    receive(world, "100", "20.00", on=day(3))
    deliver(world, "10", "50.00", on=day(5))
    receipt = collect(world, "565.00", on=day(25))
    [entry] = entries_of("customer_receipt", receipt)
    assert lines_of(entry) == [("1002", D("565.00"), ZERO), ("1122", ZERO, D("565.00"))]
    assert check_books() == []


def test_cash_transfer(world):
    """From the bank to the till: Dr 1001, Cr 1002; both cash journals move."""
    till = finance.default_cash_account()
    transfer = cash.cash_transfer_create(
        user=world["finance"], from_account=world["bank"], to_account=till, amount=D("3000.00"), date=day(12)
    )
    cash.cash_transfer_post(transfer=transfer, user=world["finance"])

    [entry] = entries_of("cash_transfer", transfer)
    assert entry.date == day(12)
    assert lines_of(entry) == [("1001", D("3000.00"), ZERO), ("1002", ZERO, D("3000.00"))]
    world["bank"].refresh_from_db()
    till.refresh_from_db()
    assert (world["bank"].balance, till.balance) == (D("47000.00"), D("3000.00"))
    assert check_books() == []

    cash.cash_transfer_cancel(transfer=transfer, user=world["finance"])

    assert_reversed(*posted_and_reversed("cash_transfer", transfer))
    world["bank"].refresh_from_db()
    till.refresh_from_db()
    assert (world["bank"].balance, till.balance) == (D("50000.00"), D("0.00"))
    assert check_books() == []


def test_cash_transfer_between_two_accounts_on_sub_accounts(world):
    """A second bank account booked to a sub-account 1002.01 of 1002: the transfer debits the
    sub-account and credits 1002; the trial balance shows both, the balance sheet one 1002."""
    from apps.finance import statements

    sub = finance.account_create(
        user=world["finance"], parent=Account.objects.get(code="1002"), code="1002.01", name="招商银行"
    )
    second = cash.cash_account_create(
        user=world["finance"], code="B02", name="招商银行", kind="bank", ledger_account=sub, opening_date=day(1)
    )
    transfer = cash.cash_transfer_create(
        user=world["finance"], from_account=world["bank"], to_account=second, amount=D("8000.00"), date=day(12)
    )
    cash.cash_transfer_post(transfer=transfer, user=world["finance"])

    [entry] = entries_of("cash_transfer", transfer)
    assert lines_of(entry) == [("1002.01", D("8000.00"), ZERO), ("1002", ZERO, D("8000.00"))]
    assert check_books() == []
    rows = {row["account"]: (row["debit"], row["credit"]) for row in statements.trial_balance(date_to=day(30))["rows"]}
    assert rows["1002"] == (D("42000.00"), ZERO)
    assert rows["1002.01"] == (D("8000.00"), ZERO)
    sheet = statements.balance_sheet(date=day(30))
    assert {row["account"]: row["amount"] for row in sheet["assets"]} == {"1002": D("50000.00")}


def test_other_expense_of_several_categories(world):
    """房租 1,500 (6602) and 运费 200 (6601) in one 支出单: Dr both, Cr 1002 1,700."""
    categories = {c.name: c for c in MoneyCategory.objects.filter(kind="expense")}
    document = cash.money_document_create(
        user=world["finance"],
        kind="expense",
        account=world["bank"],
        date=day(30),
        counterparty="房东",
        lines=[
            {"category": categories["房租"], "amount": D("1500.00")},
            {"category": categories["运费"], "amount": D("200.00")},
        ],
    )
    cash.money_document_post(document=document, user=world["finance"])
    assert document.number.startswith("OE-")

    [entry] = entries_of("money_document", document)
    assert entry.date == day(30)
    assert lines_of(entry) == [
        ("6602", D("1500.00"), ZERO),
        ("6601", D("200.00"), ZERO),
        ("1002", ZERO, D("1700.00")),
    ]
    world["bank"].refresh_from_db()
    assert world["bank"].balance == D("48300.00")
    assert check_books() == []

    cash.money_document_cancel(document=document, user=world["finance"])

    assert_reversed(*posted_and_reversed("money_document", document))
    world["bank"].refresh_from_db()
    assert world["bank"].balance == D("50000.00")
    assert check_books() == []


@pytest.mark.parametrize(
    ("kind", "category", "account"),
    [
        ("expense", "房租", "6602"),
        ("expense", "工资", "6602"),
        ("expense", "水电费", "6602"),
        ("expense", "办公费", "6602"),
        ("expense", "运费", "6601"),
        ("expense", "广告费", "6601"),
        ("expense", "银行手续费", "6603"),
        ("expense", "其他支出", "6711"),
        ("income", "利息收入", "6603"),
        ("income", "废品收入", "6051"),
        ("income", "其他收入", "6301"),
    ],
)
def test_each_seeded_category_books_to_its_account(world, kind, category, account):
    document = (spend if kind == "expense" else earn)(world, category, "120.00", on=day(18))
    [entry] = entries_of("money_document", document)
    if kind == "expense":
        assert lines_of(entry) == [(account, D("120.00"), ZERO), ("1002", ZERO, D("120.00"))]
    else:
        assert document.number.startswith("OI-")
        assert lines_of(entry) == [(account, ZERO, D("120.00")), ("1002", D("120.00"), ZERO)]
    assert check_books() == []

    cash.money_document_cancel(document=document, user=world["finance"])

    assert_reversed(*posted_and_reversed("money_document", document))
    assert check_books() == []


# --- Opening balances of cash and bank accounts -------------------------------------------


def test_opening_balance_is_booked_against_paid_in_capital_on_its_date(world):
    [entry] = JournalEntry.objects.filter(source_type="cash_opening", source_id=world["bank"].pk)
    assert (entry.date, entry.source_number) == (day(1), "B01-OB")
    assert lines_of(entry) == [("1002", D("50000.00"), ZERO), ("3001", ZERO, D("50000.00"))]
    [movement] = CashMovement.objects.filter(account=world["bank"])
    assert (movement.date, movement.amount, movement.balance_after) == (day(1), D("50000.00"), D("50000.00"))
    assert check_books() == []


def test_a_changed_opening_balance_books_the_difference_on_the_opening_date(world):
    bank = cash.cash_account_update(account=world["bank"], user=world["finance"], opening_balance=D("52500.00"))
    bank = cash.cash_account_update(account=bank, user=world["finance"], opening_balance=D("49000.00"))

    entries = list(JournalEntry.objects.filter(source_type="cash_opening", source_id=bank.pk).order_by("id"))
    assert [(e.date, lines_of(e)) for e in entries] == [
        (day(1), [("1002", D("50000.00"), ZERO), ("3001", ZERO, D("50000.00"))]),
        (day(1), [("1002", D("2500.00"), ZERO), ("3001", ZERO, D("2500.00"))]),
        (day(1), [("1002", ZERO, D("3500.00")), ("3001", D("3500.00"), ZERO)]),
    ]
    assert bank.balance == D("49000.00")
    opening, rows = cash.cash_journal(bank)
    assert [(r.date, r.amount, r.running) for r in rows] == [
        (day(1), D("50000.00"), D("50000.00")),
        (day(1), D("2500.00"), D("52500.00")),
        (day(1), D("-3500.00"), D("49000.00")),
    ]
    # Unchanged: nothing more is booked.
    cash.cash_account_update(account=bank, user=world["finance"], opening_balance=D("49000.00"), name="工行")
    assert JournalEntry.objects.filter(source_type="cash_opening", source_id=bank.pk).count() == 3
    assert check_books() == []


def test_an_account_opened_without_balance_books_nothing(world):
    before = JournalEntry.objects.count()
    account = cash.cash_account_create(user=world["finance"], code="C02", name="备用金", kind="cash")
    assert JournalEntry.objects.count() == before
    assert not CashMovement.objects.filter(account=account).exists()
    assert check_books() == []


# --- Manual entries -----------------------------------------------------------------------


def test_manual_entry_posted_and_reversed(world):
    """Finance books a customer's prepayment by hand (2203 has no document of its own)."""
    accounts = {a.code: a for a in Account.objects.filter(code__in=["1002", "2203"])}
    entry = journal.manual_create(
        user=world["finance"],
        date=day(21),
        memo="预收货款",
        lines=[
            {"account": accounts["1002"], "debit": D("1000.00")},
            {"account": accounts["2203"], "credit": D("1000.00")},
        ],
    )
    journal.manual_post(entry=entry, user=world["finance"])
    reversal = journal.manual_reverse(entry=entry, user=world["finance"])
    assert reversal.date == TODAY
    assert lines_of(reversal) == [("1002", ZERO, D("1000.00")), ("2203", D("1000.00"), ZERO)]
    # The bank's ledger account moved by hand and back again: the books agree once more.
    assert check_books() == []
