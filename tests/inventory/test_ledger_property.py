"""Property test of the stock ledger: random sequences of receipts (at awkward costs),
issues, transfers, returns at a given cost, stock counts, mixed multi-line postings and
reversals of earlier postings, for both valuation methods, with fractional quantities.

After every step: every check_stock invariant holds, the balances hold exactly the
quantities a plain model of the sequence expects, and a refused posting wrote nothing."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.errors import BusinessError
from apps.inventory import ledger
from apps.inventory.models import FifoLayer, StockBalance, StockLedgerEntry, ValuationMethod
from apps.inventory.selectors import stock_violations
from tests.factories import ProductFactory, UserFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 22)
PRODUCTS, WAREHOUSES = 2, 2
_sources = itertools.count(1)

quantities = st.one_of(
    st.integers(min_value=1, max_value=12).map(Decimal),
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("15"), places=4),
)
costs = st.one_of(
    st.sampled_from(["3.333333", "0.000001", "0.01", "0", "12.5", "99.999999", "1"]).map(Decimal),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("500"), places=6),
)
products = st.integers(min_value=0, max_value=PRODUCTS - 1)
warehouses = st.integers(min_value=0, max_value=WAREHOUSES - 1)

receive = st.tuples(st.just("receive"), products, warehouses, quantities, costs)
issue = st.tuples(st.just("issue"), products, warehouses, quantities)
give_back = st.tuples(st.just("return"), products, warehouses, quantities, costs)
transfer = st.tuples(
    st.just("transfer"),
    st.lists(st.tuples(products, quantities), min_size=1, max_size=3),
    st.booleans(),  # direction
)
count = st.tuples(st.just("count"), products, warehouses, quantities | st.just(Decimal(0)))
mixed = st.tuples(
    st.just("mixed"),
    st.lists(
        st.tuples(products, warehouses, quantities, st.booleans(), costs),  # (…, inbound?, cost)
        min_size=2,
        max_size=5,
    ),
)
# one document taking in and giving out the same product (an adjustment with +/- lines)
in_out = st.tuples(st.just("in_out"), products, warehouses, quantities, costs, quantities)
reverse = st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=1000))
steps = st.lists(
    st.one_of(receive, receive, issue, give_back, transfer, count, mixed, in_out, reverse), min_size=1, max_size=14
)


class World:
    """The products and warehouses of one example, what was posted, and the quantities a
    plain model of the sequence expects."""

    def __init__(self, methods):
        self.user = UserFactory()
        self.warehouses = [WarehouseFactory() for _ in range(WAREHOUSES)]
        self.products = [ProductFactory(valuation_method=method) for method in methods]
        self.expected: dict[tuple[int, int], Decimal] = {}
        self.posted: list[tuple[ledger.Source, list[StockLedgerEntry]]] = []
        self.reversed: set[int] = set()

    def key(self, product: int, warehouse: int) -> tuple[int, int]:
        return self.products[product].pk, self.warehouses[warehouse].pk

    def move(self, product, warehouse, qty, cost=None, **extra) -> ledger.Movement:
        pk, wh = self.key(product, warehouse)
        return ledger.Movement(product=pk, warehouse=wh, qty=qty, unit_cost=cost, **extra)

    def on_hand(self, product, warehouse) -> Decimal:
        return self.expected.get(self.key(product, warehouse), Decimal(0))

    def average_cost(self, product, warehouse) -> Decimal:
        balance = StockBalance.objects.filter(
            product=self.products[product], warehouse=self.warehouses[warehouse]
        ).first()
        if balance is None or balance.qty <= 0:
            return self.products[product].purchase_price
        return balance.avg_cost

    def receipt_entries(self, product, warehouse) -> list[int]:
        pk, wh = self.key(product, warehouse)
        return [
            e.pk
            for _s, entries in self.posted
            for e in entries
            if (e.product_id, e.warehouse_id, e.qty > 0) == (pk, wh, True)
        ]

    def post(self, movements: list[ledger.Movement]) -> None:
        number = next(_sources)
        source = ledger.Source(type="property", id=number, number=f"P-{number}")
        self.attempt(lambda: ledger.post(source=source, movements=movements, user=self.user, date=DAY), source)

    def reverse(self, pick: int) -> None:
        if not self.posted:
            return
        source, _entries = self.posted[pick % len(self.posted)]
        already = source.id in self.reversed
        entries = self.attempt(lambda: ledger.reverse(source=source, user=self.user, date=DAY), None)
        if already:
            assert entries is None, "a second reversal must be refused"
        elif entries is not None:
            self.reversed.add(source.id)
            originals = {e.pk: e for e in _entries}
            assert sorted(originals) == sorted(e.reversal_of_id for e in entries)
            for entry in entries:
                original = originals[entry.reversal_of_id]
                assert entry.qty == -original.qty
                # What went out comes back at its exact value, and moving-average receipts go
                # out at theirs, unless the zero rule gives the entry the residue.
                if entry.qty_after != 0 and (original.qty < 0 or self.is_average(entry)):
                    assert entry.value == -original.value

    def is_average(self, entry) -> bool:
        product = next(p for p in self.products if p.pk == entry.product_id)
        return product.valuation_method == ValuationMethod.MOVING_AVERAGE

    def attempt(self, action, source):
        """Run a posting; a refusal must be a BusinessError that wrote nothing."""
        before = snapshot()
        try:
            entries = action()
        except BusinessError as refused:
            assert refused.code in {"insufficient_stock", "invalid_state"}
            assert snapshot() == before
            return None
        for entry in entries:
            key = (entry.product_id, entry.warehouse_id)
            self.expected[key] = self.expected.get(key, Decimal(0)) + entry.qty
        if source is not None:
            self.posted.append((source, entries))
        return entries


def snapshot():
    return (
        StockLedgerEntry.objects.count(),
        sorted(StockBalance.objects.values_list("product_id", "warehouse_id", "qty", "value")),
        sorted(FifoLayer.objects.values_list("id", "qty_remaining", "value_remaining")),
    )


def run_step(world: World, step) -> None:
    kind = step[0]
    if kind == "receive":
        _, product, warehouse, qty, cost = step
        world.post([world.move(product, warehouse, qty, cost)])
    elif kind == "issue":
        _, product, warehouse, qty = step
        world.post([world.move(product, warehouse, -qty)])
    elif kind == "return":
        # back to the supplier at a given cost (moving average) or from a given receipt (FIFO)
        _, product, warehouse, qty, cost = step
        receipts = world.receipt_entries(product, warehouse)
        returns_entry = receipts[int(cost) % len(receipts)] if receipts else None
        world.post([world.move(product, warehouse, -qty, cost, returns_entry=returns_entry)])
    elif kind == "transfer":
        _, lines, forward = step
        source, target = (0, 1) if forward else (1, 0)
        movements = []
        for product, qty in lines:
            movements.append(world.move(product, source, -qty))
            movements.append(world.move(product, target, qty, cost_of=len(movements) - 1))
        world.post(movements)
    elif kind == "count":
        # a stock count: book counted − on hand; gains at the current average cost
        _, product, warehouse, counted = step
        variance = counted - world.on_hand(product, warehouse)
        if variance > 0:
            world.post([world.move(product, warehouse, variance, world.average_cost(product, warehouse))])
        elif variance < 0:
            world.post([world.move(product, warehouse, variance)])
    elif kind == "mixed":
        _, lines = step
        world.post(
            [
                world.move(product, warehouse, qty if inbound else -qty, cost if inbound else None)
                for product, warehouse, qty, inbound, cost in lines
            ]
        )
    elif kind == "in_out":
        _, product, warehouse, qty_in, cost, qty_out = step
        world.post([world.move(product, warehouse, qty_in, cost), world.move(product, warehouse, -qty_out)])
    elif kind == "reverse":
        world.reverse(step[1])


def assert_books_hold(world: World) -> None:
    broken = {kind: list(found) for kind, found in stock_violations().items() if found}
    assert broken == {}
    balances = {(b.product_id, b.warehouse_id): b for b in StockBalance.objects.all()}
    for key, qty in world.expected.items():
        assert balances[key].qty == qty
        if qty == 0:
            assert balances[key].value == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    methods=st.lists(st.sampled_from(list(ValuationMethod)), min_size=PRODUCTS, max_size=PRODUCTS),
    allow_negative=st.booleans(),
    sequence=steps,
)
def test_every_invariant_holds_after_any_sequence_of_postings(methods, allow_negative, sequence):
    with transaction.atomic(), override_settings(JXC_ALLOW_NEGATIVE_STOCK=allow_negative):
        world = World(methods)
        for step in sequence:
            run_step(world, step)
            assert_books_hold(world)
        transaction.set_rollback(True)
