"""Valuation through the ledger, with exact numbers, for both methods."""

import pytest

from apps.core.errors import BusinessError
from apps.inventory import ledger
from apps.inventory.models import FifoLayer, StockLedgerEntry, ValuationMethod
from tests.factories import ProductFactory, UserFactory, WarehouseFactory

from .ledger_helpers import D, balance, post

pytestmark = pytest.mark.django_db

MA, FIFO = ValuationMethod.MOVING_AVERAGE, ValuationMethod.FIFO


@pytest.fixture
def clerk():
    return UserFactory(departments=["warehouse"])


@pytest.fixture
def wh():
    return WarehouseFactory(code="SH01")


@pytest.mark.parametrize(
    ("method", "cogs", "left_value"),
    [(MA, "1700.00", "1700.00"), (FIFO, "1600.00", "1800.00")],
)
def test_the_issue_example(clerk, wh, method, cogs, left_value):
    product = ProductFactory(valuation_method=method)
    post(clerk, (product, wh, 10, 100))
    post(clerk, (product, wh, 20, 120))

    _, [issue] = post(clerk, (product, wh, -15))

    assert issue.value == -D(cogs)
    assert balance(product, wh) == (D(15), D(left_value))
    assert (issue.qty_after, issue.value_after) == (D(15), D(left_value))


@pytest.mark.parametrize(
    ("method", "steps", "expected"),
    [
        # (qty, unit_cost or None) -> list of (entry value, qty_after, value_after)
        (
            MA,
            [(3, "10.00"), (-1, None), (-1, None), (-1, None)],
            [("30.00", 3, "30.00"), ("-10.00", 2, "20.00"), ("-10.00", 1, "10.00"), ("-10.00", 0, "0.00")],
        ),
        # 3 @ 3.333333 = 10.00; issuing one by one rounds to 3.33 each and the last carries the residue.
        (
            MA,
            [(3, "3.333333"), (-1, None), (-1, None), (-1, None)],
            [("10.00", 3, "10.00"), ("-3.33", 2, "6.67"), ("-3.34", 1, "3.33"), ("-3.33", 0, "0.00")],
        ),
        (
            FIFO,
            [(3, "3.333333"), (-1, None), (-1, None), (-1, None)],
            [("10.00", 3, "10.00"), ("-3.33", 2, "6.67"), ("-3.33", 1, "3.34"), ("-3.34", 0, "0.00")],
        ),
        # Moving average re-averages on receipt: 10 @ 1 + 10 @ 2 = 20 worth 30; issue 5 -> 7.50.
        (
            MA,
            [(10, "1"), (10, "2"), (-5, None)],
            [("10.00", 10, "10.00"), ("20.00", 20, "30.00"), ("-7.50", 15, "22.50")],
        ),
        # FIFO crosses layers: 10 @ 1, 10 @ 2, issue 15 = 10 + 10.
        (
            FIFO,
            [(10, "1"), (10, "2"), (-15, None)],
            [("10.00", 10, "10.00"), ("20.00", 20, "30.00"), ("-20.00", 5, "10.00")],
        ),
        # Fractional quantities (kg).
        (MA, [("2.5", "4.2"), ("-0.125", None)], [("10.50", "2.5", "10.50"), ("-0.53", "2.375", "9.97")]),
    ],
)
def test_valuation_table(clerk, wh, method, steps, expected):
    product = ProductFactory(valuation_method=method)

    for (qty, cost), (value, qty_after, value_after) in zip(steps, expected, strict=True):
        movement = (product, wh, qty, cost) if cost else (product, wh, qty)
        _, [entry] = post(clerk, movement)
        assert (entry.value, entry.qty_after, entry.value_after) == (D(value), D(qty_after), D(value_after))

    if method == FIFO:
        layers = FifoLayer.objects.filter(product=product, warehouse=wh)
        assert sum(layer.value_remaining for layer in layers) == balance(product, wh)[1]


def test_an_outbound_movement_records_its_unit_cost(clerk, wh):
    product = ProductFactory()
    post(clerk, (product, wh, 3, "10"))
    _, [entry] = post(clerk, (product, wh, -2))
    assert entry.unit_cost == D("10.000000")


def test_a_transfer_carries_the_source_cost_exactly(clerk, wh):
    other = WarehouseFactory(code="SZ01")
    product = ProductFactory()
    post(clerk, (product, wh, 3, "3.333333"))

    _, [out, into] = post(
        clerk,
        ledger.Movement(product=product.pk, warehouse=wh.pk, qty=D(-2)),
        ledger.Movement(product=product.pk, warehouse=other.pk, qty=D(2), cost_of=0),
    )

    assert (out.value, into.value) == (D("-6.67"), D("6.67"))
    assert into.unit_cost == out.unit_cost
    assert balance(product, wh) == (D(1), D("3.33"))
    assert balance(product, other) == (D(2), D("6.67"))


def test_a_fifo_transfer_creates_a_layer_at_the_carried_cost(clerk, wh):
    other = WarehouseFactory(code="SZ01")
    product = ProductFactory(valuation_method=FIFO)
    post(clerk, (product, wh, 10, 100))
    post(clerk, (product, wh, 20, 120))

    post(
        clerk,
        ledger.Movement(product=product.pk, warehouse=wh.pk, qty=D(-15)),
        ledger.Movement(product=product.pk, warehouse=other.pk, qty=D(15), cost_of=0),
    )

    assert balance(product, other) == (D(15), D("1600.00"))
    _, [issue] = post(clerk, (product, other, -15))
    assert issue.value == D("-1600.00")


def test_a_return_at_the_source_cost_and_from_the_source_layer(clerk, wh):
    product = ProductFactory(valuation_method=FIFO)
    post(clerk, (product, wh, 10, 100))
    _, [receipt] = post(clerk, (product, wh, 20, 120))

    _, [returned] = post(
        clerk, ledger.Movement(product=product.pk, warehouse=wh.pk, qty=D(-5), returns_entry=receipt.pk)
    )

    assert returned.value == D("-600.00")  # from the 120 layer, not the older 100 one
    assert balance(product, wh) == (D(25), D("2800.00"))


def test_moving_average_outbound_at_a_given_cost(clerk, wh):
    product = ProductFactory()
    post(clerk, (product, wh, 10, 100))
    post(clerk, (product, wh, 10, 120))

    _, [returned] = post(clerk, (product, wh, -5, "120"))

    assert returned.value == D("-600.00")
    assert balance(product, wh) == (D(15), D("1600.00"))


def test_going_out_at_a_cost_above_the_stock_value_takes_no_more_than_the_stock_carries(clerk, wh):
    product = ProductFactory()
    post(clerk, (product, wh, 2, 10))

    _, [returned] = post(clerk, (product, wh, -1, "100"))

    assert (returned.value, returned.unit_cost) == (D("-20.00"), D("20.000000"))
    assert balance(product, wh) == (D(1), D("0.00"))


@pytest.mark.parametrize("method", [MA, FIFO])
def test_reversal_restores_everything(clerk, wh, method):
    product = ProductFactory(valuation_method=method)
    post(clerk, (product, wh, 10, 100))
    post(clerk, (product, wh, 20, 120))
    source, [issue] = post(clerk, (product, wh, -15))

    reversal = ledger.reverse(source=source, user=clerk)

    assert [(e.qty, e.value, e.reversal_of_id) for e in reversal] == [(D(15), -issue.value, issue.pk)]
    assert balance(product, wh) == (D(30), D("3400.00"))
    # and the next issue values exactly as if the reversed one never happened
    _, [again] = post(clerk, (product, wh, -15))
    assert again.value == issue.value


def test_reversing_a_receipt_whose_goods_left_is_refused(clerk, wh):
    product = ProductFactory()
    source, _ = post(clerk, (product, wh, 10, 100))
    post(clerk, (product, wh, -8))

    with pytest.raises(BusinessError) as refused:
        ledger.reverse(source=source, user=clerk)

    assert refused.value.code == "insufficient_stock"
    assert balance(product, wh) == (D(2), D("200.00"))
    assert StockLedgerEntry.objects.filter(reversal_of__isnull=False).count() == 0


def test_reversing_twice_is_refused(clerk, wh):
    product = ProductFactory()
    source, _ = post(clerk, (product, wh, 10, 100))
    ledger.reverse(source=source, user=clerk)

    with pytest.raises(BusinessError) as refused:
        ledger.reverse(source=source, user=clerk)

    assert refused.value.code == "invalid_state"
    assert StockLedgerEntry.objects.count() == 2


def test_a_fifo_receipt_reversed_after_part_left_takes_its_own_layer_first(clerk, wh):
    product = ProductFactory(valuation_method=FIFO)
    post(clerk, (product, wh, 10, 100))
    source, _ = post(clerk, (product, wh, 10, 120))
    post(clerk, (product, wh, 10, 130))
    post(clerk, (product, wh, -12))  # 10 @ 100 + 2 @ 120

    [reversal] = ledger.reverse(source=source, user=clerk)

    assert reversal.value == D("-1220.00")  # the 8 @ 120 left of its own layer, then 2 @ 130
    assert balance(product, wh) == (D(8), D("1040.00"))
    layers = FifoLayer.objects.filter(product=product, qty_remaining__gt=0)
    assert [(layer.qty_remaining, layer.value_remaining) for layer in layers] == [(D(8), D("1040.00"))]


def test_issuing_more_than_on_hand_is_refused_with_the_figures(clerk, wh):
    product = ProductFactory(sku="SP000001", name="农夫山泉")
    post(clerk, (product, wh, 5, 10))

    with pytest.raises(BusinessError) as refused:
        post(clerk, (product, wh, -3), (product, wh, -5))

    error = refused.value
    assert error.code == "insufficient_stock"
    assert error.extra["shortages"] == [
        {
            "product": product.pk,
            "sku": "SP000001",
            "warehouse": wh.pk,
            "warehouse_code": "SH01",
            "on_hand": "5",
            "requested": "8",
        }
    ]
    assert "SP000001" in error.detail and "SH01" in error.detail
    assert balance(product, wh) == (D(5), D("50.00"))
    assert StockLedgerEntry.objects.count() == 1


def test_negative_stock_when_the_setting_allows_it(clerk, wh, settings):
    settings.JXC_ALLOW_NEGATIVE_STOCK = True
    product = ProductFactory(purchase_price=D("8.00"))
    post(clerk, (product, wh, 2, 10))

    post(clerk, (product, wh, -5))
    assert balance(product, wh) == (D(-3), D("-30.00"))

    post(clerk, (product, wh, 3, 12))
    assert balance(product, wh) == (D(0), D("0.00"))


def test_fifo_products_never_go_negative(clerk, wh, settings):
    settings.JXC_ALLOW_NEGATIVE_STOCK = True
    product = ProductFactory(valuation_method=FIFO)
    with pytest.raises(BusinessError):
        post(clerk, (product, wh, -1))
    assert StockLedgerEntry.objects.count() == 0


def test_a_5000_line_posting_is_a_handful_of_statements(clerk, wh, django_assert_max_num_queries):
    products = ProductFactory.create_batch(50)
    lines = [(products[i % 50], wh, 1, "2.50") for i in range(5000)]
    with django_assert_max_num_queries(12):
        post(clerk, *lines)
    assert balance(products[0], wh) == (D(100), D("250.00"))


def test_the_valuation_method_cannot_change_while_there_is_stock(clerk, wh):
    from django.core.exceptions import ValidationError

    from apps.inventory.services import product_update

    product = ProductFactory()
    post(clerk, (product, wh, 2, 10))

    with pytest.raises(ValidationError) as refused:
        product_update(product=product, user=clerk, valuation_method=FIFO)

    assert list(refused.value.message_dict) == ["valuation_method"]
    product.refresh_from_db()
    assert product.valuation_method == MA
    post(clerk, (product, wh, -2))
    product_update(product=product, user=clerk, valuation_method=FIFO)  # no stock: allowed
    product.refresh_from_db()
    assert product.valuation_method == FIFO


def test_inbound_without_a_cost_comes_in_at_the_current_cost(clerk, wh):
    product = ProductFactory(purchase_price=D("8.00"))

    _, [first] = post(clerk, (product, wh, 2))  # no stock yet: the purchase price
    post(clerk, (product, wh, 2, "12"))  # average now 10.00
    _, [found] = post(clerk, (product, wh, 1))

    assert (first.unit_cost, first.value) == (D("8.000000"), D("16.00"))
    assert (found.unit_cost, found.value) == (D("10.000000"), D("10.00"))
    assert balance(product, wh) == (D(5), D("50.00"))
