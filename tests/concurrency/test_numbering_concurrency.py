"""Threads racing for document numbers on real PostgreSQL transactions: every committed
number is unique and the committed numbers are contiguous, even when the very first row of a
prefix and year is created by several threads at once."""

import datetime
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction

from apps.core.models import DocumentSequence
from apps.core.numbering import next_number

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 8
PER_THREAD = 25
DAY = datetime.date(2026, 5, 20)


def run_threads(work):
    """Start ``THREADS`` threads on ``work(index)`` at the same moment; re-raise any failure."""
    barrier = threading.Barrier(THREADS)
    errors = []

    def body(index):
        try:
            barrier.wait(timeout=10)
            work(index)
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []


def test_concurrent_numbers_are_unique_and_contiguous_from_the_first_row():
    # given no counter row yet for this prefix and year
    assert not DocumentSequence.objects.filter(prefix="CC", year=2026).exists()
    committed = []
    lock = threading.Lock()

    def work(_index):
        for _ in range(PER_THREAD):
            with transaction.atomic():
                number = next_number(prefix="CC", date=DAY)
            with lock:
                committed.append(number)

    # when 8 threads take 25 numbers each, all starting at once
    run_threads(work)

    # then
    assert len(committed) == len(set(committed)) == 200
    assert sorted(committed) == [f"CC-2026-{n:06d}" for n in range(1, 201)]
    assert list(DocumentSequence.objects.filter(prefix="CC").values_list("year", "last_value")) == [(2026, 200)]


def test_rolled_back_numbers_are_reused_so_committed_ones_stay_contiguous():
    committed = []
    lock = threading.Lock()

    def work(index):
        for i in range(PER_THREAD):
            try:
                with transaction.atomic():
                    number = next_number(prefix="RB", date=DAY)
                    if (index + i) % 5 == 0:
                        raise LookupError("the document failed after taking its number")
            except LookupError:
                continue
            with lock:
                committed.append(number)

    run_threads(work)

    count = len(committed)
    assert count == 160  # one in five of the 200 attempts rolled back
    assert sorted(committed) == [f"RB-2026-{n:06d}" for n in range(1, count + 1)]
    assert DocumentSequence.objects.get(prefix="RB", year=2026).last_value == count


def test_next_number_is_refused_outside_a_transaction():
    assert not connection.in_atomic_block

    with pytest.raises(RuntimeError, match=r"must be called inside transaction\.atomic\(\)"):
        next_number(prefix="PO", date=DAY)

    assert not DocumentSequence.objects.filter(prefix="PO").exists()


def test_the_departments_are_there_after_an_earlier_flush():
    # The tests above emptied every table; conftest puts the department groups back.
    assert Group.objects.filter(name="sales").get().permissions.filter(codename="view_customer").exists()
