"""Cases the property and concurrency tests found in the ledger, kept as plain examples."""

import pytest

from apps.inventory import ledger
from apps.inventory.models import FifoConsumption, FifoLayer, ValuationMethod
from apps.inventory.selectors import stock_violations
from tests.factories import ProductFactory, UserFactory, WarehouseFactory

from .ledger_helpers import D, balance, post

pytestmark = pytest.mark.django_db


def no_violations():
    return {kind: list(found) for kind, found in stock_violations().items() if found} == {}


def test_fifo_goods_received_and_issued_in_one_posting_leave_at_their_layer_cost():
    # An adjustment with a +5 @ 10 line and a -3 line of the same FIFO product: the issue
    # used to find no open layer (the new one was only written at the end) and went out at 0.
    clerk, wh = UserFactory(), WarehouseFactory()
    product = ProductFactory(valuation_method=ValuationMethod.FIFO)

    _, [receipt, issue] = post(clerk, (product, wh, 5, 10), (product, wh, -3))

    assert (issue.value, issue.qty_after, issue.value_after) == (D("-30.00"), D(2), D("20.00"))
    assert balance(product, wh) == (D(2), D("20.00"))
    layer = FifoLayer.objects.get(entry=receipt)
    assert (layer.qty_remaining, layer.value_remaining) == (D(2), D("20.00"))
    assert list(FifoConsumption.objects.values_list("layer", "qty", "value")) == [(layer.pk, D(3), D("30.00"))]
    assert no_violations()


def test_reversing_such_a_posting_restores_the_books():
    clerk, wh = UserFactory(), WarehouseFactory()
    product = ProductFactory(valuation_method=ValuationMethod.FIFO)
    post(clerk, (product, wh, 4, "2.5"))
    source, _ = post(clerk, (product, wh, 5, 10), (product, wh, -6))  # 4 @ 2.5 + 2 @ 10

    reversal = ledger.reverse(source=source, user=clerk)

    assert [(e.qty, e.value) for e in reversal] == [(D(6), D("30.00")), (D(-5), D("-50.00"))]
    assert balance(product, wh) == (D(4), D("10.00"))
    assert no_violations()
