"""/api/v1/cash-transfers/ (资金调拨): a transfer of 200 moves both balances and writes one
entry; cancelling puts both back; what is refused changes nothing."""

import pytest

from apps.finance.models import JournalEntry
from tests.books import support

from .helpers import CASH_ACCOUNTS, TRANSFERS, balances, close_month, entry_lines, ok, refused, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def till(world, finance):
    """A cash till (C01, empty) beside bank account B01 (50,000.00)."""
    return ok(finance.post(CASH_ACCOUNTS, {"code": "C01", "name": "门店现金", "kind": "cash"}), 201)


def draft(client, world, till, amount="200.00", **extra) -> dict:
    body = {"from_account": world["bank"].pk, "to_account": till["id"], "amount": amount, "date": "2026-11-10"}
    return ok(client.post(TRANSFERS, {**body, **extra}), 201)


def test_a_transfer_of_200_moves_both_balances_and_writes_one_entry(finance, world, till):
    transfer = draft(finance, world, till, note="备用金")
    assert (transfer["status"], transfer["amount"], transfer["from_account_name"], transfer["to_account_name"]) == (
        "draft",
        "200.00",
        "工商银行",
        "门店现金",
    )
    assert transfer["number"].startswith("CT-2026-")
    assert balances()["B01"] == support.D("50000.00")  # a draft moves nothing

    posted = ok(finance.post(f"{TRANSFERS}{transfer['id']}/post/"))

    assert posted["status"] == "posted"
    assert (balances()["B01"], balances()["C01"]) == (support.D("49800.00"), support.D("200.00"))
    entries = JournalEntry.objects.filter(source_type="cash_transfer", source_id=transfer["id"])
    assert [(e.date.isoformat(), e.total) for e in entries] == [("2026-11-10", support.D("200.00"))]
    entry = ok(finance.get("/api/v1/journal-entries/", {"source_number": transfer["number"]}))["results"][0]
    assert entry_lines(entry) == [("1001", "200.00", "0.00"), ("1002", "0.00", "200.00")]
    journal = ok(finance.get(f"{CASH_ACCOUNTS}{till['id']}/journal/"))
    assert [(r["source_number"], r["counterparty"], r["inflow"], r["balance"]) for r in journal["rows"]] == [
        (transfer["number"], "工商银行", "200.00", "200.00")
    ]
    ok(finance.post(f"{TRANSFERS}{transfer['id']}/post/"))  # twice: nothing twice
    assert (balances()["B01"], entries.count()) == (support.D("49800.00"), 1)


def test_cancelling_a_posted_transfer_puts_both_balances_back(finance, world, till):
    transfer = draft(finance, world, till)
    ok(finance.post(f"{TRANSFERS}{transfer['id']}/post/"))

    cancelled = ok(finance.post(f"{TRANSFERS}{transfer['id']}/cancel/"))

    assert cancelled["status"] == "cancelled"
    assert (balances()["B01"], balances()["C01"]) == (support.D("50000.00"), support.D("0.00"))
    entries = JournalEntry.objects.filter(source_type="cash_transfer", source_id=transfer["id"]).order_by("id")
    assert [(e.total, e.reversal_of_id) for e in entries] == [
        (support.D("200.00"), None),
        (support.D("200.00"), entries[0].pk),
    ]
    before = snapshot()
    refused(finance.post(f"{TRANSFERS}{transfer['id']}/cancel/"), 409, "invalid_state")
    refused(finance.patch(f"{TRANSFERS}{transfer['id']}/", {"amount": "1"}), 409, "invalid_state")
    assert snapshot() == before


def test_a_draft_is_changed(finance, world, till):
    transfer = draft(finance, world, till)
    changed = ok(finance.patch(f"{TRANSFERS}{transfer['id']}/", {"amount": "350.50", "note": "改"}))
    assert (changed["amount"], changed["note"]) == ("350.50", "改")
    ok(finance.post(f"{TRANSFERS}{transfer['id']}/post/"))
    assert balances()["C01"] == support.D("350.50")


def test_management_posts_transfers(manager, world, till):
    transfer = draft(manager, world, till)
    assert ok(manager.post(f"{TRANSFERS}{transfer['id']}/post/"))["status"] == "posted"
    assert balances()["C01"] == support.D("200.00")


@pytest.mark.parametrize(
    ("change", "field"),
    [({"amount": "0"}, "amount"), ({"amount": "-5"}, "amount"), ({"to_account": "bank"}, "to_account")],
)
def test_refused_input_is_400_and_writes_nothing(finance, world, till, change, field):
    if change.get("to_account") == "bank":
        change = {"to_account": world["bank"].pk}
    before = snapshot()
    body = {"from_account": world["bank"].pk, "to_account": till["id"], "amount": "10", **change}

    assert list(refused(finance.post(TRANSFERS, body), 400)) == [field]

    assert snapshot() == before


def test_posting_into_a_closed_month_is_409_and_moves_nothing(finance, world, till):
    transfer = draft(finance, world, till)
    close_month(support.day(1))
    before = snapshot()

    refused(finance.post(f"{TRANSFERS}{transfer['id']}/post/"), 409, "period_closed")

    assert snapshot() == before
    assert (balances()["B01"], balances()["C01"]) == (support.D("50000.00"), support.D("0.00"))
    assert ok(finance.get(f"{TRANSFERS}{transfer['id']}/"))["status"] == "draft"


def test_an_inactive_account_is_400(finance, world, till):
    ok(finance.patch(f"{CASH_ACCOUNTS}{till['id']}/", {"is_active": False}))
    before = snapshot()
    body = {"from_account": world["bank"].pk, "to_account": till["id"], "amount": "10"}
    assert list(refused(finance.post(TRANSFERS, body), 400)) == ["to_account"]
    assert snapshot() == before
