"""The database itself refuses to change or delete ledger entries."""

import pytest
from django.db import DatabaseError, connection, transaction

from apps.inventory.models import StockLedgerEntry
from tests.factories import ProductFactory, UserFactory, WarehouseFactory

from .ledger_helpers import D, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    _, [entry] = post(UserFactory(), (ProductFactory(), WarehouseFactory(), 10, "2.50"))
    return entry


def test_updating_an_entry_is_refused_by_the_database(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        StockLedgerEntry.objects.filter(pk=entry.pk).update(qty=D(11))
    entry.refresh_from_db()
    assert entry.qty == D(10)


def test_deleting_an_entry_is_refused_by_the_database(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM inventory_stockledgerentry WHERE id = %s", [entry.pk])
    assert StockLedgerEntry.objects.filter(pk=entry.pk).exists()
