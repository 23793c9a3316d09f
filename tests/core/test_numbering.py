"""Document numbers: ``<PREFIX>-<YEAR>-<000042>``, one counter per prefix and year, without
gaps among committed documents. (Threads racing for numbers: tests/concurrency.)"""

import datetime

import pytest
from django.db import transaction

from apps.core.models import DocumentSequence
from apps.core.numbering import next_number

pytestmark = pytest.mark.django_db

MARCH_2026 = datetime.date(2026, 3, 1)


def test_the_first_number_of_a_prefix_and_year():
    assert next_number(prefix="PO", date=MARCH_2026) == "PO-2026-000001"


def test_numbers_count_up_by_one():
    numbers = [next_number(prefix="PO", date=MARCH_2026) for _ in range(3)]

    assert numbers == ["PO-2026-000001", "PO-2026-000002", "PO-2026-000003"]
    assert DocumentSequence.objects.get(prefix="PO", year=2026).last_value == 3


def test_each_prefix_has_its_own_counter():
    next_number(prefix="PO", date=MARCH_2026)
    next_number(prefix="PO", date=MARCH_2026)

    assert next_number(prefix="SO", date=MARCH_2026) == "SO-2026-000001"
    assert next_number(prefix="PO", date=MARCH_2026) == "PO-2026-000003"


def test_each_year_has_its_own_counter():
    next_number(prefix="PO", date=datetime.date(2026, 12, 31))
    next_number(prefix="PO", date=datetime.date(2026, 12, 31))

    assert next_number(prefix="PO", date=datetime.date(2027, 1, 1)) == "PO-2027-000001"
    assert next_number(prefix="PO", date=datetime.date(2026, 6, 30)) == "PO-2026-000003"
    assert sorted(DocumentSequence.objects.values_list("prefix", "year", "last_value")) == [
        ("PO", 2026, 3),
        ("PO", 2027, 1),
    ]


def test_the_counter_continues_from_the_stored_value():
    DocumentSequence.objects.create(prefix="GR", year=2026, last_value=41)

    assert next_number(prefix="GR", date=MARCH_2026) == "GR-2026-000042"


def test_numbers_past_six_digits_keep_counting():
    DocumentSequence.objects.create(prefix="GR", year=2026, last_value=999999)

    assert next_number(prefix="GR", date=MARCH_2026) == "GR-2026-1000000"


def test_a_rolled_back_transaction_gives_its_number_back():
    # given a committed number
    with transaction.atomic():
        first = next_number(prefix="PO", date=MARCH_2026)

    # when a document takes the next number and then fails
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        lost = next_number(prefix="PO", date=MARCH_2026)
        1 / 0  # noqa: B018

    # then the next document gets that same number: no gap among committed ones
    with transaction.atomic():
        second = next_number(prefix="PO", date=MARCH_2026)
    assert (first, lost, second) == ("PO-2026-000001", "PO-2026-000002", "PO-2026-000002")
    assert DocumentSequence.objects.get(prefix="PO", year=2026).last_value == 2


def test_a_rolled_back_first_number_leaves_no_counter_behind():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        next_number(prefix="NEW", date=MARCH_2026)
        1 / 0  # noqa: B018

    assert not DocumentSequence.objects.filter(prefix="NEW").exists()
    with transaction.atomic():
        assert next_number(prefix="NEW", date=MARCH_2026) == "NEW-2026-000001"
