"""THE STOCK LEDGER: the one writer of stock quantities and values (DESIGN.md, "The stock ledger").

Every inbound or outbound document posts through :func:`post`, and is cancelled through
:func:`reverse`. Nothing else changes ``StockBalance.qty``/``value``, writes
``StockLedgerEntry`` rows or touches FIFO layers.

Guarantees of a posting:
- one transaction; all-or-nothing (a refused posting writes nothing);
- the balance rows it touches are locked with SELECT ... FOR UPDATE in (product, warehouse)
  order, so concurrent postings queue instead of deadlocking; the first movement of a product
  in a warehouse inserts its balance row with ON CONFLICT DO NOTHING (backed by the unique
  constraint), then locks it, so two first receipts at once both count;
- stock never goes below zero unless ``JXC_ALLOW_NEGATIVE_STOCK`` is on (FIFO products never):
  409 ``insufficient_stock`` naming product, warehouse, on hand and requested;
- a few statements whatever the number of lines (bulk inserts and updates).

Valuation per product × warehouse, chosen per product:
- moving weighted average (default): inbound at the movement's unit cost; outbound at the
  current average (value × qty / on hand);
- FIFO: inbound creates a cost layer; outbound consumes the oldest layers first.
In both: a movement carrying another's cost (transfers) or returning at a source document's
cost says so; each entry's value is rounded to 0.01; when the quantity reaches zero the value
is zero (the rounding residue goes into that entry).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.bulk import bulk_update_fields
from apps.core.errors import BusinessError
from apps.core.fields import ZERO, money, unit_cost

from .models import FifoConsumption, FifoLayer, Product, StockBalance, StockLedgerEntry, ValuationMethod, Warehouse

Key = tuple[int, int]  # (product_id, warehouse_id)


@dataclass(frozen=True)
class Source:
    """The document a posting comes from: its type (e.g. "stock_adjustment"), id and number."""

    type: str
    id: int
    number: str


@dataclass(frozen=True)
class Movement:
    """One line of a posting, in the product's stock unit.

    ``qty`` is signed: positive in, negative out. Inbound comes in at ``unit_cost``; or carries
    the cost of an earlier outbound movement of the same posting (``cost_of``: its index; a
    transfer's receiving side); or, with neither, at the current cost (the average cost of the
    stock on hand, else the product's purchase price: stock found by a count). Outbound leaves
    ``unit_cost`` empty to go out at the current cost, or sets it to go out at a source
    document's cost (a purchase return at the receipt's cost). ``returns_entry`` names the
    entry a return goes back against: FIFO takes from that entry's layer first.
    """

    product: int
    warehouse: int
    qty: Decimal
    unit_cost: Decimal | None = None
    line: int | None = None
    cost_of: int | None = None
    returns_entry: int | None = None
    lot: int | None = None


@dataclass
class _Layer:
    row: FifoLayer
    qty: Decimal
    value: Decimal
    changed: bool = False


@dataclass
class _Planned:
    key: Key
    qty: Decimal
    unit_cost: Decimal
    value: Decimal
    qty_after: Decimal
    value_after: Decimal
    line: int | None
    lot: int | None
    reversal_of: int | None = None
    new_layer: _Layer | None = None
    takes: list[tuple[_Layer, Decimal, Decimal]] = field(default_factory=list)


def negative_stock_allowed() -> bool:
    return bool(getattr(settings, "JXC_ALLOW_NEGATIVE_STOCK", False))


def post(*, source: Source, movements: list[Movement], user, date) -> list[StockLedgerEntry]:
    """Post ``movements`` for ``source`` and return the entries written, in order.

    Raises BusinessError ``insufficient_stock`` (nothing written) when an outbound movement
    would take more than is on hand. Movements with zero quantity are programming errors
    (ValueError): documents validate their lines first.
    """
    if not movements:
        raise ValueError("a posting needs at least one movement")
    for index, movement in enumerate(movements):
        if movement.qty == 0:
            raise ValueError(f"movement {index} has zero quantity")
        if movement.cost_of is not None and not (0 <= movement.cost_of < index and movements[movement.cost_of].qty < 0):
            raise ValueError(f"movement {index}: cost_of must name an earlier outbound movement")
    with transaction.atomic():
        book = _Book.open({(m.product, m.warehouse) for m in movements})
        book.load_layers()
        planned: list[_Planned] = []
        for movement in movements:
            key = (movement.product, movement.warehouse)
            if movement.qty > 0:
                if movement.cost_of is not None:
                    carried = planned[movement.cost_of]
                    cost = carried.unit_cost
                    value = -carried.value if movement.qty == -carried.qty else money(movement.qty * cost)
                else:
                    cost = movement.unit_cost if movement.unit_cost is not None else book.current_cost(key)
                    value = money(movement.qty * cost)
                planned.append(book.receive(key, movement.qty, cost, value, line=movement.line, lot=movement.lot))
            else:
                planned.append(
                    book.issue(
                        key,
                        -movement.qty,
                        at_cost=movement.unit_cost,
                        returns_entry=movement.returns_entry,
                        line=movement.line,
                        lot=movement.lot,
                    )
                )
        book.refuse_shortages()
        return book.write(planned, source=source, user=user, date=date)


def reverse(*, source: Source, user, date=None) -> list[StockLedgerEntry]:
    """Post the exact opposite of every entry ``source`` posted (a cancellation).

    Outbound entries come back with their exact values (FIFO: into the layers they came from).
    Inbound entries go out at their own value (FIFO: from their own layer first); if the goods
    have already left and negative stock is not allowed, 409 ``insufficient_stock``. Reversing
    twice is refused with 409 ``invalid_state``; a source that posted nothing reverses to [].
    """
    with transaction.atomic():
        originals = list(
            StockLedgerEntry.objects.filter(
                source_type=source.type, source_id=source.id, reversal_of__isnull=True
            ).order_by("id")
        )
        if not originals:
            return []
        book = _Book.open({(e.product_id, e.warehouse_id) for e in originals})
        # Checked under the balance locks: a reversal of the same source running at the same
        # time holds them until it commits, and is then seen here.
        if StockLedgerEntry.objects.filter(reversal_of__in=[e.pk for e in originals]).exists():
            raise BusinessError(
                BusinessError.INVALID_STATE, _("%(number)s was already reversed.") % {"number": source.number}
            )
        book.load_layers()
        consumptions = defaultdict(list)
        for row in FifoConsumption.objects.filter(entry__in=[e.pk for e in originals]).order_by("id"):
            consumptions[row.entry_id].append(row)
        planned = []
        for original in reversed(originals):
            key = (original.product_id, original.warehouse_id)
            if original.qty < 0:
                step = book.receive(
                    key,
                    -original.qty,
                    original.unit_cost,
                    -original.value,
                    line=original.source_line_id,
                    lot=original.lot_id,
                    restore=consumptions.get(original.pk, []),
                )
            else:
                step = book.issue(
                    key,
                    original.qty,
                    at_value=original.value,
                    returns_entry=original.pk,
                    line=original.source_line_id,
                    lot=original.lot_id,
                )
            step.reversal_of = original.pk
            planned.append(step)
        book.refuse_shortages()
        return book.write(planned, source=source, user=user, date=date or timezone.localdate())


class _Book:
    """The locked balances (and FIFO layers) of one posting, and the arithmetic on them."""

    def __init__(self, balances: dict[Key, StockBalance], products: dict[int, Product]):
        self.balances = balances
        self.products = products
        self.qty = {key: b.qty for key, b in balances.items()}
        self.value = {key: b.value for key, b in balances.items()}
        self.start_qty = dict(self.qty)
        self.requested: dict[Key, Decimal] = defaultdict(Decimal)
        self.short: set[Key] = set()
        self.layers: dict[Key, list[_Layer]] = {}
        self.layer_by_entry: dict[int, _Layer] = {}
        self.allow_negative = negative_stock_allowed()

    @classmethod
    def open(cls, keys: set[Key]) -> _Book:
        balances = lock_balances(keys)
        return cls(balances, {key[0]: balance.product for key, balance in balances.items()})

    def current_cost(self, key: Key) -> Decimal:
        """What one more unit is worth here now: the average cost of the stock on hand, else
        (no stock) the product's purchase price."""
        if self.qty[key] > 0:
            return unit_cost(self.value[key] / self.qty[key])
        return self.products[key[0]].purchase_price

    def is_fifo(self, key: Key) -> bool:
        return self.products[key[0]].valuation_method == ValuationMethod.FIFO

    def load_layers(self) -> None:
        fifo_keys = [key for key in self.balances if self.is_fifo(key)]
        for key in fifo_keys:
            self.layers[key] = []
        if not fifo_keys:
            return
        rows = FifoLayer.objects.filter(
            product_id__in={k[0] for k in fifo_keys}, warehouse_id__in={k[1] for k in fifo_keys}, qty_remaining__gt=0
        ).order_by("id")
        for row in rows:
            key = (row.product_id, row.warehouse_id)
            if key in self.layers:
                layer = _Layer(row, row.qty_remaining, row.value_remaining)
                self.layers[key].append(layer)
                self.layer_by_entry[row.entry_id] = layer

    def _step(self, key, qty, cost, value, line, lot) -> _Planned:
        self.qty[key] += qty
        self.value[key] += value
        return _Planned(key, qty, cost, value, self.qty[key], self.value[key], line, lot)

    def receive(self, key, qty, cost, value, *, line, lot, restore=()) -> _Planned:
        """Inbound ``qty`` worth ``value``. FIFO: a new layer, or (reversing an issue) the
        same quantities and values put back into the layers they came from."""
        if self.qty[key] + qty == 0:
            value = -self.value[key]  # back to zero: zero value (only from negative stock)
        step = self._step(key, qty, cost, value, line, lot)
        if self.is_fifo(key):
            if restore:
                for row in restore:
                    layer = self._layer_for_restore(key, row.layer_id)
                    layer.qty += row.qty
                    layer.value += row.value
                    layer.changed = True
            else:
                # Open at once, so a later outbound movement of the same posting can take from it.
                row = FifoLayer(product_id=key[0], warehouse_id=key[1], unit_cost=cost)
                step.new_layer = _Layer(row, qty, value)
                self.layers[key].append(step.new_layer)
        return step

    def _layer_for_restore(self, key, layer_id) -> _Layer:
        for layer in self.layers[key]:
            if layer.row.pk == layer_id:
                return layer
        row = FifoLayer.objects.get(pk=layer_id)  # fully consumed since: not among the open layers
        layer = _Layer(row, row.qty_remaining, row.value_remaining)
        self.layers[key].append(layer)
        self.layers[key].sort(key=lambda item: (item.row.pk is None, item.row.pk or 0))
        self.layer_by_entry[row.entry_id] = layer
        return layer

    def issue(self, key, qty, *, at_cost=None, at_value=None, returns_entry=None, line, lot) -> _Planned:
        """Outbound ``qty`` (positive) at the current cost, or at ``at_cost`` per unit, or for
        exactly ``at_value`` (a reversal). Records a shortage instead of going below zero."""
        on_hand = self.qty[key]
        self.requested[key] += qty
        fifo = self.is_fifo(key)
        if qty > on_hand and (fifo or not self.allow_negative):
            self.short.add(key)
            return self._step(key, -qty, ZERO, ZERO, line, lot)
        if fifo:
            takes, value = self._consume(key, qty, first=returns_entry)
            step = self._step(key, -qty, unit_cost(value / qty), -value, line, lot)
            step.takes = takes
            return step
        if at_value is not None:
            value = at_value
        elif at_cost is not None:
            # Goods going out at a source document's cost cannot take more value than the
            # stock carries: the difference to that cost is a price variance, not stock.
            value = money(qty * at_cost)
            if on_hand > 0:
                value = min(value, self.value[key])
        elif on_hand > 0:
            value = money(self.value[key] * qty / on_hand)
        else:
            value = money(qty * self.products[key[0]].purchase_price)
        if on_hand - qty == 0:
            value = self.value[key]  # the last units carry the rounding residue
        return self._step(key, -qty, unit_cost(value / qty), -value, line, lot)

    def _consume(self, key, qty, *, first=None):
        """Take ``qty`` from the open layers, the ``first`` entry's layer before the oldest."""
        open_layers = [layer for layer in self.layers[key] if layer.qty > 0]
        preferred = self.layer_by_entry.get(first) if first is not None else None
        if preferred is not None and preferred.qty > 0:
            open_layers.remove(preferred)
            open_layers.insert(0, preferred)
        takes, total, left = [], ZERO, qty
        for layer in open_layers:
            if left == 0:
                break
            take = min(left, layer.qty)
            value = layer.value if take == layer.qty else min(money(take * layer.row.unit_cost), layer.value)
            layer.qty -= take
            layer.value -= value
            layer.changed = True
            takes.append((layer, take, value))
            total += value
            left -= take
        return takes, total

    def refuse_shortages(self) -> None:
        if not self.short:
            return
        warehouses = Warehouse.objects.only("id", "code", "name").in_bulk({key[1] for key in self.short})
        shortages, sentences = [], []
        for key in sorted(self.short):
            product, warehouse = self.products[key[0]], warehouses[key[1]]
            on_hand, requested = self.start_qty[key], self.requested[key]
            shortages.append(
                {
                    "product": product.pk,
                    "sku": product.sku,
                    "warehouse": warehouse.pk,
                    "warehouse_code": warehouse.code,
                    "on_hand": str(on_hand.normalize() if on_hand else ZERO),
                    "requested": str(requested.normalize()),
                }
            )
            sentences.append(
                _("%(sku)s %(name)s in %(warehouse)s: on hand %(on_hand)s, requested %(requested)s")
                % {
                    "sku": product.sku,
                    "name": product.name,
                    "warehouse": f"{warehouse.code} {warehouse.name}",
                    "on_hand": _plain(on_hand),
                    "requested": _plain(requested),
                }
            )
        raise BusinessError(
            BusinessError.INSUFFICIENT_STOCK,
            _("Not enough stock: %(items)s.") % {"items": "; ".join(sentences)},
            shortages=shortages,
        )

    def write(self, planned: list[_Planned], *, source: Source, user, date) -> list[StockLedgerEntry]:
        now = timezone.now()
        entries = _insert_entries(
            [
                StockLedgerEntry(
                    product_id=step.key[0],
                    warehouse_id=step.key[1],
                    lot_id=step.lot,
                    qty=step.qty,
                    unit_cost=step.unit_cost,
                    value=step.value,
                    qty_after=step.qty_after,
                    value_after=step.value_after,
                    source_type=source.type,
                    source_id=source.id,
                    source_number=source.number,
                    source_line_id=step.line,
                    reversal_of_id=step.reversal_of,
                    date=date,
                    posted_at=now,
                    user=user,
                )
                for step in planned
            ]
        )
        new_layers, consumptions = [], []
        for step, entry in zip(planned, entries, strict=True):
            if step.new_layer is not None:
                step.new_layer.row.entry = entry
                new_layers.append(step.new_layer.row)
            for layer, qty, value in step.takes:
                consumptions.append(FifoConsumption(entry=entry, layer=layer.row, qty=qty, value=value))
        all_layers = [layer for layers in self.layers.values() for layer in layers]
        for layer in all_layers:
            layer.row.qty_remaining, layer.row.value_remaining = layer.qty, layer.value
        changed_layers = [layer.row for layer in all_layers if layer.changed and layer.row.pk is not None]
        if changed_layers:
            FifoLayer.objects.bulk_update(changed_layers, ["qty_remaining", "value_remaining"])
        if new_layers:
            FifoLayer.objects.bulk_create(new_layers)  # what is left of them after this posting
        if consumptions:
            FifoConsumption.objects.bulk_create(consumptions)
        for key, balance in self.balances.items():
            balance.qty, balance.value, balance.updated_at = self.qty[key], self.value[key], now
        bulk_update_fields(list(self.balances.values()), ["qty", "value", "updated_at"])
        return entries


def add_to_balances(column: str, warehouse_id: int, deltas: dict[int, Decimal]) -> None:
    """Add ``deltas`` ({product id: qty}) to the warehouse's ``column`` ("reserved_qty" of
    confirmed sales, "ordered_qty" of approved purchases) under the balance locks (taken here,
    or already held from :func:`post` in this transaction)."""
    if column not in ("reserved_qty", "ordered_qty"):
        raise ValueError(column)
    deltas = {product: delta for product, delta in deltas.items() if delta != 0}
    if not deltas:
        return
    balances = lock_balances({(product, warehouse_id) for product in deltas})
    for (product, _warehouse), balance in balances.items():
        # The row is locked and freshly read, so the sum is made in Decimal here: SQLite would
        # add in floating point (5.0001 − 5.0001 can come out a hair below zero).
        StockBalance.objects.filter(pk=balance.pk).update(**{column: getattr(balance, column) + deltas[product]})


def lock_balances(keys: set[Key]) -> dict[Key, StockBalance]:
    """Lock the balance rows of ``keys`` in (product, warehouse) order, creating missing ones
    race-free (INSERT ... ON CONFLICT DO NOTHING, then lock). Must run in a transaction.
    Also used by the documents that change reserved/ordered quantities. Each balance comes with
    its product (``balance.product``, read in the same statement).

    Missing rows are inserted before any row is locked: inserting (or waiting on another
    transaction's insert of) a row while holding locks on rows later in the order could
    deadlock with a posting that holds that row and waits for ours."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_balances() must run inside transaction.atomic()")
    if not keys:
        return {}
    missing = keys - _existing_keys(keys)
    if missing:
        StockBalance.objects.bulk_create(
            [StockBalance(product_id=p, warehouse_id=w) for p, w in sorted(missing)], ignore_conflicts=True
        )
    return _select_for_update(keys)


def _balances_of(keys: set[Key]):
    # products × warehouses of the keys: exactly the keys for real documents (one warehouse, or
    # the two of a transfer); any extra row is locked in the same global order, so no deadlock.
    products = {p for p, _w in keys}
    warehouses = {w for _p, w in keys}
    return StockBalance.objects.filter(product_id__in=products, warehouse_id__in=warehouses)


def _existing_keys(keys: set[Key]) -> set[Key]:
    if connection.vendor == "postgresql":
        return _pg_existing_keys(keys)
    return set(_balances_of(keys).values_list("product_id", "warehouse_id"))


def _select_for_update(keys: set[Key]) -> dict[Key, StockBalance]:
    if connection.vendor == "postgresql":
        return _pg_select_for_update(keys)
    rows = (
        _balances_of(keys)
        .select_related("product")
        .select_for_update(no_key=True, of=("self",))
        .order_by("product_id", "warehouse_id")
    )
    return {key: row for row in rows if (key := (row.product_id, row.warehouse_id)) in keys}


def _insert_entries(entries: list[StockLedgerEntry]) -> list[StockLedgerEntry]:
    if connection.vendor == "postgresql":
        return _pg_insert_entries(entries)
    return StockLedgerEntry.objects.bulk_create(entries)


# PostgreSQL: the statements of every posting in plain SQL. Building them through the ORM cost
# more CPU than PostgreSQL spent running them (bench/ledger.py, docs/benchmarks.md "Stock
# ledger"). Same statements, locks and rows as the ORM versions above, which SQLite still uses.


def _pg_dimensions(keys: set[Key]) -> list[list[int]]:
    return [sorted({p for p, _w in keys}), sorted({w for _p, w in keys})]


def _pg_existing_keys(keys: set[Key]) -> set[Key]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT product_id, warehouse_id FROM {StockBalance._meta.db_table} "  # noqa: S608
            "WHERE product_id = ANY(%s) AND warehouse_id = ANY(%s)",
            _pg_dimensions(keys),
        )
        return set(cursor.fetchall())


def _pg_select_for_update(keys: set[Key]) -> dict[Key, StockBalance]:
    quote, alias = connection.ops.quote_name, connection.alias
    balance_fields = [f.attname for f in StockBalance._meta.concrete_fields]
    product_fields = [f.attname for f in Product._meta.concrete_fields]
    columns = [f"b.{quote(f.column)}" for f in StockBalance._meta.concrete_fields]
    columns += [f"p.{quote(f.column)}" for f in Product._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {StockBalance._meta.db_table} b "  # noqa: S608
            f"JOIN {Product._meta.db_table} p ON p.id = b.product_id "
            "WHERE b.product_id = ANY(%s) AND b.warehouse_id = ANY(%s) "
            "ORDER BY b.product_id, b.warehouse_id FOR NO KEY UPDATE OF b",
            _pg_dimensions(keys),
        )
        rows = cursor.fetchall()
    found, split = {}, len(balance_fields)
    for row in rows:
        balance = StockBalance.from_db(alias, balance_fields, row[:split])
        if (key := (balance.product_id, balance.warehouse_id)) in keys:
            balance.product = Product.from_db(alias, product_fields, row[split:])
            found[key] = balance
    return found


def _pg_insert_entries(entries: list[StockLedgerEntry]) -> list[StockLedgerEntry]:
    """What bulk_create does (one INSERT ... RETURNING id per 2,000 entries), without its
    per-value preparation: the values are already Decimal, int, str, date, datetime or None."""
    quote, alias = connection.ops.quote_name, connection.alias
    fields = [f for f in StockLedgerEntry._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    for start in range(0, len(entries), 2000):
        chunk = entries[start : start + 2000]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {StockLedgerEntry._meta.db_table} ({columns}) "  # noqa: S608
                f"VALUES {', '.join([placeholders] * len(chunk))} RETURNING id",
                [getattr(entry, f.attname) for entry in chunk for f in fields],
            )
            ids = cursor.fetchall()
        for entry, (pk,) in zip(chunk, ids, strict=True):
            entry.pk = pk
            entry._state.adding, entry._state.db = False, alias
    return entries


def _plain(qty: Decimal) -> str:
    """A quantity without trailing zeros: 5.0000 -> "5", 2.5000 -> "2.5"."""
    normalized = qty.normalize()
    return f"{normalized:f}"
