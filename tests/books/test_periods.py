"""The month-end close (月结): the checklist, closing, postings refused in a closed month without
leaving a trace, cancellations dated today, and reopening with a recorded reason.

November 2026: the bank opened with 50,000.00 on the 1st, 100 A received @ 20.00 on the 3rd,
30 delivered @ 50.00 on the 5th. "Today" is 10 December 2026."""

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from apps.core.errors import BusinessError
from apps.finance import cash, journal, periods
from apps.finance import services as finance
from apps.finance.books import check_books
from apps.finance.models import (
    Account,
    CashAccount,
    CashMovement,
    CustomerReceipt,
    CustomerReceiptAllocation,
    JournalEntry,
    JournalLine,
    MoneyCategory,
    Payable,
    Period,
    PeriodEvent,
    Receivable,
    SupplierPaymentAllocation,
)
from apps.inventory import services as inventory
from apps.inventory.models import StockBalance, StockLedgerEntry
from apps.purchasing import services as purchasing
from apps.sales import services as sales
from tests.factories import WarehouseFactory

from .support import VAT, D, adjust, collect, company, day, deliver, entries_of, freeze_today, pay, receive, spend

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 10)
NOVEMBER, DECEMBER = datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)
NEW_YEARS_EVE = datetime.date(2026, 12, 31)  # December's last day: it may close then


@pytest.fixture
def world(make_user, monkeypatch):
    freeze_today(monkeypatch, TODAY)
    world = company(make_user)
    world["receipt"] = receive(world, "100", "20.00", on=day(3))
    world["delivery"] = deliver(world, "30", "50.00", on=day(5))
    return world


@pytest.fixture
def closed(world):
    """November closed by finance."""
    periods.close_period(month=NOVEMBER, user=world["finance"])
    return world


def trace() -> dict:
    """Everything a posting could write or change."""
    return {
        "entries": JournalEntry.objects.count(),
        "entry lines": JournalLine.objects.count(),
        "stock ledger": StockLedgerEntry.objects.count(),
        "stock": sorted(StockBalance.objects.values_list("product_id", "warehouse_id", "qty", "value", "reserved_qty")),
        "cash movements": CashMovement.objects.count(),
        "cash accounts": sorted(CashAccount.objects.values_list("code", "balance", "opening_balance")),
        "payables": sorted(Payable.objects.values_list("id", "amount", "paid", "credited", "status")),
        "receivables": sorted(Receivable.objects.values_list("id", "amount", "paid", "credited", "status")),
        "allocations": (SupplierPaymentAllocation.objects.count(), CustomerReceiptAllocation.objects.count()),
        "closed": sorted(Period.objects.filter(is_closed=True).values_list("month", flat=True)),
    }


# --- The kinds of posting, each dated in November: (draft it, post it) --------------------


def _receipt(w):
    draft = purchasing.purchase_receipt_create(
        user=w["manager"],
        supplier=w["supplier"],
        warehouse=w["warehouse"],
        date=day(20),
        lines=[{"product": w["product"], "qty": D("10"), "unit_cost": D("20.00"), "tax_rate": VAT}],
    )
    return draft, lambda: purchasing.purchase_receipt_post(receipt=draft, user=w["manager"])


def _purchase_return(w):
    draft = purchasing.purchase_return_create(
        user=w["manager"],
        purchase_receipt=w["receipt"],
        date=day(20),
        lines=[{"purchase_receipt_line": w["receipt"].lines.get(), "qty": D("5")}],
    )
    return draft, lambda: purchasing.purchase_return_post(purchase_return=draft, user=w["manager"])


def _delivery(w):
    draft = sales.delivery_create(
        user=w["manager"],
        customer=w["customer"],
        warehouse=w["warehouse"],
        date=day(20),
        lines=[{"product": w["product"], "qty": D("5"), "unit_price": D("50.00"), "tax_rate": VAT}],
    )
    return draft, lambda: sales.delivery_post(delivery=draft, user=w["manager"])


def _sales_return(w):
    draft = sales.sales_return_create(
        user=w["manager"],
        delivery=w["delivery"],
        date=day(20),
        lines=[{"delivery_line": w["delivery"].lines.get(), "qty": D("2")}],
    )
    return draft, lambda: sales.sales_return_post(sales_return=draft, user=w["manager"])


def _adjustment(qty, reason, cost=None):
    def make(w):
        draft = inventory.stock_adjustment_create(
            user=w["manager"],
            warehouse=w["warehouse"],
            reason=reason,
            date=day(20),
            lines=[{"product": w["product"], "qty": D(qty), "unit_cost": D(cost) if cost else None}],
        )
        return draft, lambda: inventory.stock_adjustment_post(adjustment=draft, user=w["manager"])

    return make


def _count(w):
    draft = inventory.stock_count_create(
        user=w["manager"],
        warehouse=w["warehouse"],
        date=day(20),
        lines=[{"product": w["product"], "counted_qty": D("65")}],
    )
    return draft, lambda: inventory.stock_count_post(count=draft, user=w["manager"])


def _count_without_differences(w):
    on_hand = StockLedgerEntry.objects.filter(product=w["product"], warehouse=w["warehouse"]).aggregate(qty=Sum("qty"))[
        "qty"
    ]
    draft = inventory.stock_count_create(
        user=w["manager"],
        warehouse=w["warehouse"],
        date=day(20),
        lines=[{"product": w["product"], "counted_qty": on_hand}],
    )
    return draft, lambda: inventory.stock_count_post(count=draft, user=w["manager"])


def _stock_transfer(w):
    draft = inventory.stock_transfer_create(
        user=w["manager"],
        from_warehouse=w["warehouse"],
        to_warehouse=WarehouseFactory(),
        date=day(20),
        lines=[{"product": w["product"], "qty": D("10")}],
    )
    return draft, lambda: inventory.stock_transfer_post(transfer=draft, user=w["manager"])


def _payment(w):
    draft = finance.supplier_payment_create(
        user=w["finance"], supplier=w["supplier"], amount=D("1000.00"), account=w["bank"], date=day(20)
    )
    return draft, lambda: finance.supplier_payment_post(payment=draft, user=w["finance"])


def _customer_receipt(w):
    draft = finance.customer_receipt_create(
        user=w["finance"], customer=w["customer"], amount=D("1000.00"), account=w["bank"], date=day(20)
    )
    return draft, lambda: finance.customer_receipt_post(receipt=draft, user=w["finance"])


def _cash_transfer(w):
    draft = cash.cash_transfer_create(
        user=w["finance"],
        from_account=w["bank"],
        to_account=finance.default_cash_account(),
        amount=D("500.00"),
        date=day(20),
    )
    return draft, lambda: cash.cash_transfer_post(transfer=draft, user=w["finance"])


def _money(kind, category):
    def make(w):
        draft = cash.money_document_create(
            user=w["finance"],
            kind=kind,
            account=w["bank"],
            date=day(20),
            lines=[{"category": MoneyCategory.objects.get(kind=kind, name=category), "amount": D("800.00")}],
        )
        return draft, lambda: cash.money_document_post(document=draft, user=w["finance"])

    return make


def _manual_entry(w):
    accounts = {a.code: a for a in Account.objects.filter(code__in=["6602", "2241"])}
    draft = journal.manual_create(
        user=w["finance"],
        date=day(30),
        memo="计提房租",
        lines=[
            {"account": accounts["6602"], "debit": D("1500.00")},
            {"account": accounts["2241"], "credit": D("1500.00")},
        ],
    )
    return draft, lambda: journal.manual_post(entry=draft, user=w["finance"])


POSTINGS: dict[str, Callable] = {
    "purchase receipt": _receipt,
    "purchase return": _purchase_return,
    "delivery": _delivery,
    "sales return": _sales_return,
    "adjustment in": _adjustment("5", "found", "20.00"),
    "adjustment out": _adjustment("-5", "scrap"),
    "stock count": _count,
    "stock count without differences": _count_without_differences,
    "stock transfer": _stock_transfer,
    "supplier payment": _payment,
    "customer receipt": _customer_receipt,
    "cash transfer": _cash_transfer,
    "other income": _money("income", "其他收入"),
    "other expense": _money("expense", "房租"),
    "manual entry": _manual_entry,
}


@pytest.mark.parametrize("kind", POSTINGS)
def test_a_posting_dated_in_a_closed_month_is_refused_and_leaves_no_trace(closed, kind):
    draft, post = POSTINGS[kind](closed)
    before = trace()

    with pytest.raises(BusinessError) as refused:
        post()

    assert refused.value.code == "period_closed"
    assert refused.value.extra == {"period": "2026-11"}
    assert trace() == before
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert check_books() == []


@pytest.mark.parametrize("kind", POSTINGS)
def test_the_same_posting_goes_through_once_the_month_is_reopened(closed, make_user, kind):
    draft, post = POSTINGS[kind](closed)
    periods.reopen_period(month=NOVEMBER, user=make_user("management"), reason="补录11月单据")
    posted = JournalEntry.objects.filter(status="posted")
    before = set(posted.values_list("pk", flat=True))

    post()

    draft.refresh_from_db()
    assert draft.status == "posted"
    new = posted.exclude(pk__in=before)
    books_nothing = kind in ("stock transfer", "stock count without differences")
    assert [entry.date for entry in new] == ([] if books_nothing else [draft.date])
    assert check_books() == []


def test_a_cash_account_opened_in_a_closed_month_is_refused(closed):
    before = trace()
    with pytest.raises(BusinessError) as refused:
        cash.cash_account_create(
            user=closed["finance"],
            code="B02",
            name="招商银行",
            kind="bank",
            opening_balance=D("1000.00"),
            opening_date=day(15),
        )
    assert refused.value.code == "period_closed"
    assert not CashAccount.objects.filter(code="B02").exists()
    assert trace() == before


def test_changing_an_opening_balance_dated_in_a_closed_month_is_refused(closed):
    before = trace()
    with pytest.raises(BusinessError) as refused:
        cash.cash_account_update(account=closed["bank"], user=closed["finance"], opening_balance=D("60000.00"))
    assert refused.value.code == "period_closed"
    closed["bank"].refresh_from_db()
    assert (closed["bank"].opening_balance, closed["bank"].balance) == (D("50000.00"), D("50000.00"))
    assert trace() == before


def test_the_api_answers_409_period_closed_and_changes_nothing(closed, api_as):
    draft, _post = _delivery(closed)
    client = api_as("management")
    before = trace()

    response = client.post(f"/api/v1/deliveries/{draft.pk}/post/")

    assert response.status_code == 409
    assert response.json()["code"] == "period_closed"
    assert trace() == before
    assert client.get(f"/api/v1/deliveries/{draft.pk}/").json()["status"] == "draft"


# --- Cancelling what was posted in a closed month ------------------------------------------


def _posted(w, kind):
    """A document of ``kind`` posted in November (before the close): (document, cancel it, source type)."""
    if kind == "purchase receipt":
        document = receive(w, "10", "20.00", on=day(12))
        return document, lambda: purchasing.purchase_receipt_cancel(receipt=document, user=w["manager"])
    if kind == "delivery":
        document = w["delivery"]
        return document, lambda: sales.delivery_cancel(delivery=document, user=w["manager"])
    if kind == "adjustment":
        document = adjust(w, "-4", on=day(12), reason="damage")
        return document, lambda: inventory.stock_adjustment_cancel(adjustment=document, user=w["manager"])
    if kind == "supplier payment":
        document = pay(w, "1000.00", on=day(12))
        return document, lambda: finance.supplier_payment_cancel(payment=document, user=w["finance"])
    if kind == "customer receipt":
        document = collect(w, "1000.00", on=day(12))
        return document, lambda: finance.customer_receipt_cancel(receipt=document, user=w["finance"])
    if kind == "other expense":
        document = spend(w, "水电费", "321.00", on=day(12))
        return document, lambda: cash.money_document_cancel(document=document, user=w["finance"])
    raise AssertionError(kind)


CANCELLED = {
    "purchase receipt": "purchase_receipt",
    "delivery": "delivery",
    "adjustment": "stock_adjustment",
    "supplier payment": "supplier_payment",
    "customer receipt": "customer_receipt",
    "other expense": "money_document",
}


@pytest.mark.parametrize("kind", CANCELLED)
def test_cancelling_in_an_open_month_reverses_a_closed_months_document_today(world, kind):
    document, cancel = _posted(world, kind)
    periods.close_period(month=NOVEMBER, user=world["finance"])

    cancel()

    original, reversal = entries_of(CANCELLED[kind], document)
    assert (original.date, reversal.date) == (document.date, TODAY)
    assert reversal.reversal_of_id == original.pk
    reversed_stock = StockLedgerEntry.objects.filter(source_id=document.pk, reversal_of__isnull=False)
    reversed_cash = CashMovement.objects.filter(source_id=document.pk, reversal_of__isnull=False)
    assert {e.date for e in reversed_stock} | {m.date for m in reversed_cash} == {TODAY}
    # November itself is untouched: its trial balance is what it was at the close.
    assert not JournalEntry.objects.filter(date__month=11, reversal_of__isnull=False).exists()
    assert check_books() == []


@pytest.mark.parametrize("kind", CANCELLED)
def test_cancelling_is_refused_when_todays_month_is_closed_too(world, kind, monkeypatch):
    document, cancel = _posted(world, kind)
    periods.close_period(month=NOVEMBER, user=world["finance"])
    freeze_today(monkeypatch, NEW_YEARS_EVE)
    periods.close_period(month=DECEMBER, user=world["finance"])
    before = trace()

    with pytest.raises(BusinessError) as refused:
        cancel()

    assert refused.value.code == "period_closed"
    assert refused.value.extra == {"period": "2026-12"}
    assert trace() == before
    document.refresh_from_db()
    assert document.status == "posted"
    assert len(entries_of(CANCELLED[kind], document)) == 1


# --- The checklist and the close ----------------------------------------------------------


def failing(month) -> dict[str, list[str]]:
    return {item.key: item.problems for item in periods.checklist(month) if not item.ok}


def test_a_clean_month_closes_and_the_close_is_recorded(world):
    assert failing(NOVEMBER) == {}

    period = periods.close_period(month=NOVEMBER, user=world["finance"])

    assert (period.month, period.is_closed, period.closed_by) == (NOVEMBER, True, world["finance"])
    assert period.closed_at is not None
    [event] = PeriodEvent.objects.filter(period=period)
    assert (event.action, event.user, event.reason) == ("close", world["finance"], "")
    assert periods.is_closed(day(30)) and not periods.is_closed(TODAY)
    with pytest.raises(BusinessError) as again:
        periods.close_period(month=NOVEMBER, user=world["finance"])
    assert again.value.code == "invalid_state"
    assert PeriodEvent.objects.count() == 1


def test_a_month_that_has_not_ended_stays_open(world, monkeypatch):
    """December on the 10th: not yet; on the 31st (its last day) it may close."""
    periods.close_period(month=NOVEMBER, user=world["finance"])
    assert failing(DECEMBER) == {"month_ended": ["2026-12-31"]}
    with pytest.raises(BusinessError) as refused:
        periods.close_period(month=DECEMBER, user=world["finance"])
    assert refused.value.extra == {"checklist": [{"key": "month_ended", "problems": ["2026-12-31"]}]}
    assert not periods.is_closed(TODAY)

    freeze_today(monkeypatch, NEW_YEARS_EVE)
    periods.close_period(month=DECEMBER, user=world["finance"])
    assert periods.is_closed(NEW_YEARS_EVE)


def test_a_draft_dated_in_the_month_keeps_it_open(world):
    draft, _post = _delivery(world)

    assert failing(NOVEMBER) == {"no_drafts": [draft.number]}
    with pytest.raises(BusinessError) as refused:
        periods.close_period(month=NOVEMBER, user=world["finance"])

    assert refused.value.code == "invalid_state"
    assert refused.value.extra == {"checklist": [{"key": "no_drafts", "problems": [draft.number]}]}
    assert not periods.is_closed(day(30))
    assert not PeriodEvent.objects.exists()
    # Cancelled, the draft is out of the way.
    sales.delivery_cancel(delivery=draft, user=world["manager"])
    periods.close_period(month=NOVEMBER, user=world["finance"])
    assert periods.is_closed(day(30))


def test_a_draft_of_an_earlier_month_keeps_the_month_open_too(world):
    """No drafts dated on or before the month's end, whatever the document."""
    draft = cash.money_document_create(
        user=world["finance"],
        kind="expense",
        account=world["bank"],
        date=datetime.date(2026, 10, 28),
        lines=[{"category": MoneyCategory.objects.get(kind="expense", name="房租"), "amount": D("100.00")}],
    )
    assert failing(NOVEMBER) == {"no_drafts": [draft.number]}


def test_an_earlier_month_left_open_keeps_the_month_open(world):
    """The till opened in October: October has entries and is open, so November cannot close
    before it."""
    cash.cash_account_create(
        user=world["finance"],
        code="C02",
        name="备用金",
        kind="cash",
        opening_balance=D("2000.00"),
        opening_date=datetime.date(2026, 10, 15),
    )
    assert failing(NOVEMBER) == {"earlier_closed": ["2026-10"]}
    with pytest.raises(BusinessError) as refused:
        periods.close_period(month=NOVEMBER, user=world["finance"])
    assert refused.value.extra["checklist"] == [{"key": "earlier_closed", "problems": ["2026-10"]}]

    periods.close_period(month=datetime.date(2026, 10, 1), user=world["finance"])
    periods.close_period(month=NOVEMBER, user=world["finance"])
    assert periods.is_closed(day(30))


def test_books_that_do_not_reconcile_keep_the_month_open(world):
    """A cash account's balance changed behind the services' back: check_books says so, and the
    checklist refuses the close."""
    CashAccount.objects.filter(pk=world["bank"].pk).update(balance=D("49999.00"))
    problems = failing(NOVEMBER)
    assert list(problems) == ["books"]
    assert any("B01" in problem and "49999.00" in problem for problem in problems["books"])
    with pytest.raises(BusinessError):
        periods.close_period(month=NOVEMBER, user=world["finance"])
    assert not periods.is_closed(day(30))


# --- Reopening -------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopening_needs_a_reason(closed, make_user, reason):
    with pytest.raises(ValidationError) as refused:
        periods.reopen_period(month=NOVEMBER, user=make_user("management"), reason=reason)
    assert "reason" in refused.value.message_dict
    assert periods.is_closed(day(30))
    assert list(PeriodEvent.objects.values_list("action", flat=True)) == ["close"]


def test_reopening_is_recorded_and_posting_works_again(closed, make_user):
    manager = make_user("management")
    draft, post = _payment(closed)
    with pytest.raises(BusinessError):
        post()

    period = periods.reopen_period(month=NOVEMBER, user=manager, reason="  供应商发票补录  ")

    assert (period.is_closed, period.closed_at, period.closed_by) == (False, None, None)
    events = list(PeriodEvent.objects.filter(period=period).order_by("id").values_list("action", "user", "reason"))
    assert events == [("close", closed["finance"].pk, ""), ("reopen", manager.pk, "供应商发票补录")]
    post()
    draft.refresh_from_db()
    assert draft.status == "posted"
    closed["bank"].refresh_from_db()
    assert closed["bank"].balance == D("49000.00")
    # Closed again: the history keeps all three events.
    periods.close_period(month=NOVEMBER, user=closed["finance"])
    assert list(PeriodEvent.objects.filter(period=period).order_by("id").values_list("action", flat=True)) == [
        "close",
        "reopen",
        "close",
    ]
    assert check_books() == []


def test_reopening_an_open_month_is_refused(world, make_user):
    with pytest.raises(BusinessError) as refused:
        periods.reopen_period(month=NOVEMBER, user=make_user("management"), reason="why not")
    assert refused.value.code == "invalid_state"
    assert not PeriodEvent.objects.exists()


def test_a_later_closed_month_blocks_reopening_an_earlier_one(closed, make_user, monkeypatch):
    manager = make_user("management")
    freeze_today(monkeypatch, NEW_YEARS_EVE)
    periods.close_period(month=DECEMBER, user=closed["finance"])

    with pytest.raises(BusinessError) as refused:
        periods.reopen_period(month=NOVEMBER, user=manager, reason="更正11月凭证")

    assert refused.value.code == "invalid_state"
    assert "2026-12" in refused.value.detail
    assert periods.is_closed(day(30)) and periods.is_closed(NEW_YEARS_EVE)
    assert PeriodEvent.objects.filter(action="reopen").count() == 0

    periods.reopen_period(month=DECEMBER, user=manager, reason="更正11月凭证")
    periods.reopen_period(month=NOVEMBER, user=manager, reason="更正11月凭证")
    assert not periods.is_closed(day(30)) and not periods.is_closed(NEW_YEARS_EVE)
    assert PeriodEvent.objects.filter(action="reopen").count() == 2


def test_closing_holds_november_as_it_was(closed):
    """The statements of a closed month no longer change: what is booked later is dated later."""
    from apps.finance import statements

    before = statements.trial_balance(date_to=day(30))
    collect(closed, "1695.00", on=TODAY)
    spend(closed, "房租", "1500.00", on=TODAY)
    assert statements.trial_balance(date_to=day(30)) == before
    assert CustomerReceipt.objects.filter(status="posted").count() == 1
    assert check_books() == []
