"""The ledger's lists read in a fixed number of queries, however many rows (no N+1)."""

import pytest

from tests.books import support

from .helpers import ACCOUNTS, CASH_ACCOUNTS, ENTRIES, MONEY, PERIODS, TRANSFERS, ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(world, finance):
    support.receive(world, "100", "20.00", on=support.day(3))
    for n in range(4, 10):
        support.deliver(world, "1", "50.00", on=support.day(n))
        support.spend(world, "房租", "10.00", on=support.day(n))
    till = ok(finance.post(CASH_ACCOUNTS, {"code": "C01", "name": "现金2", "kind": "cash"}), 201)
    for _n in range(5):
        body = {"from_account": world["bank"].pk, "to_account": till["id"], "amount": "1"}
        ok(finance.post(f"{TRANSFERS}{ok(finance.post(TRANSFERS, body), 201)['id']}/post/"))
    return world


@pytest.mark.parametrize(
    ("url", "at_least", "queries"),
    [(ENTRIES, 15, 4), (MONEY, 6, 4), (TRANSFERS, 5, 3), (ACCOUNTS, 30, 5), (CASH_ACCOUNTS, 3, 3), (PERIODS, 12, 4)],
)
def test_lists_read_in_few_queries(finance, busy, django_assert_max_num_queries, url, at_least, queries):
    with django_assert_max_num_queries(queries):
        body = ok(finance.get(url, {"page_size": 100}))
    assert body["count"] >= at_least


def test_the_cash_journal_reads_in_few_queries(finance, busy, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        journal = ok(finance.get(f"{CASH_ACCOUNTS}{busy['bank'].pk}/journal/"))
    assert (len(journal["rows"]), journal["closing"]) == (12, "49935.00")
