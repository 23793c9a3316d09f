"""Read queries of the inventory app: stock balances, the stock ledger (and the stock card of
one product), and the stock invariants that ``manage.py check_stock`` verifies.

Every read of stock is scoped to the warehouses the user may operate (``warehouses_for``).
The invariant checks are SQL aggregates and window functions, never Python loops over
entries, so they stay fast on millions of entries (PostgreSQL and SQLite alike).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

from apps.accounts.selectors import in_read_scope
from apps.core.fields import MONEY_PLACES, QTY_PLACES, ZERO

from .ledger import negative_stock_allowed
from .models import FifoLayer, Product, StockBalance, StockLedgerEntry, ValuationMethod, Warehouse

# --- Stock balances ---------------------------------------------------------------------------

_QTY = DecimalField(max_digits=18, decimal_places=4)
_COST = DecimalField(max_digits=18, decimal_places=6)


def stock_balances(*, user) -> QuerySet[StockBalance]:
    """Balance rows of the warehouses ``user`` reads (``readable_warehouses``), with the
    product (and its unit and category) and the warehouse joined in, and ``available`` (on
    hand − reserved) and ``average_cost`` annotated for filtering and sorting (the rows'
    ``available_qty`` and ``avg_cost`` properties give the exact figures)."""
    return (
        in_read_scope(StockBalance.objects.all(), user)
        .select_related("product__unit", "product__category", "warehouse")
        .annotate(
            available=ExpressionWrapper(F("qty") - F("reserved_qty"), output_field=_QTY),
            average_cost=Case(
                When(qty__gt=0, then=ExpressionWrapper(F("value") / F("qty"), output_field=_COST)),
                default=Value(ZERO),
                output_field=_COST,
            ),
        )
        .order_by("product__sku", "warehouse__code")
    )


def low_stock(queryset: QuerySet[StockBalance]) -> QuerySet[StockBalance]:
    """Rows whose on-hand quantity is below the product's safety stock."""
    return queryset.filter(qty__lt=F("product__safety_stock"))


def balance_totals(queryset: QuerySet[StockBalance]) -> dict[str, Decimal]:
    """Sums of the selected rows: qty, value, reserved, ordered and available (one query)."""
    totals = queryset.order_by().aggregate(
        qty=Coalesce(Sum("qty"), Value(ZERO), output_field=_QTY),
        value=Coalesce(Sum("value"), Value(ZERO), output_field=DecimalField(max_digits=18, decimal_places=2)),
        reserved_qty=Coalesce(Sum("reserved_qty"), Value(ZERO), output_field=_QTY),
        ordered_qty=Coalesce(Sum("ordered_qty"), Value(ZERO), output_field=_QTY),
    )
    totals["available_qty"] = totals["qty"] - totals["reserved_qty"]
    return totals


# --- The stock ledger and the stock card ------------------------------------------------------

# source_type -> URL name of that document's detail page (taking its id). The documents fill
# this in; a type without an entry (or whose URL does not exist yet) shows its number unlinked.
SOURCE_URLS: dict[str, str] = {
    "stock_adjustment": "inventory:adjustment-detail",
    "stock_transfer": "inventory:transfer-detail",
    "stock_count": "inventory:count-detail",
}


# source_type -> what the stock card calls its (inbound, outbound) entries; later documents
# add theirs.
SOURCE_LABELS = {
    "stock_adjustment": (gettext_lazy("Stock adjustment in"), gettext_lazy("Stock adjustment out")),
    "stock_transfer": (gettext_lazy("Transfer in"), gettext_lazy("Transfer out")),
    "stock_count": (gettext_lazy("Stock count gain"), gettext_lazy("Stock count loss")),
}


def source_label(source_type: str, qty: Decimal) -> str:
    """What a movement is, in words: 其他入库, 调拨出库, 盘亏..."""
    labels = SOURCE_LABELS.get(source_type)
    if labels is None:
        return source_type.replace("_", " ")
    return str(labels[0] if qty > 0 else labels[1])


def source_url(source_type: str, source_id: int) -> str | None:
    """The detail page of the document an entry came from, when one is registered."""
    name = SOURCE_URLS.get(source_type)
    if name is None:
        return None
    try:
        return reverse(name, args=[source_id])
    except NoReverseMatch:
        return None


def stock_ledger(*, user) -> QuerySet[StockLedgerEntry]:
    """Ledger entries of the warehouses ``user`` reads (``readable_warehouses``), in posting
    order, with product, unit, warehouse and user joined in."""
    return in_read_scope(StockLedgerEntry.objects.all(), user).select_related("product__unit", "warehouse", "user")


@dataclass(frozen=True)
class CardSummary:
    """Opening balance (before ``date_from``), movements in and out of the period, closing."""

    opening_qty: Decimal
    opening_value: Decimal
    in_qty: Decimal
    in_value: Decimal
    out_qty: Decimal
    out_value: Decimal

    @property
    def closing_qty(self) -> Decimal:
        return self.opening_qty + self.in_qty - self.out_qty

    @property
    def closing_value(self) -> Decimal:
        return self.opening_value + self.net_value

    @property
    def net_value(self) -> Decimal:
        return self.in_value - self.out_value


def stock_card(*, user, product: Product, warehouse: Warehouse, date_from=None, date_to=None):
    """The stock card (库存台账) of ``product`` in ``warehouse``: its entries of the period in
    posting order (each carries the running balance after it) and a :class:`CardSummary`.
    Dates are business dates; the summary is two aggregate queries whatever the length."""
    entries = stock_ledger(user=user).filter(product=product, warehouse=warehouse)
    period = entries
    if date_from:
        period = period.filter(date__gte=date_from)
    if date_to:
        period = period.filter(date__lte=date_to)
    money_field = DecimalField(max_digits=18, decimal_places=2)
    opening = {"qty": ZERO, "value": ZERO}
    if date_from:
        opening = (
            entries.filter(date__lt=date_from)
            .order_by()
            .aggregate(
                qty=Coalesce(Sum("qty"), Value(ZERO), output_field=_QTY),
                value=Coalesce(Sum("value"), Value(ZERO), output_field=money_field),
            )
        )
    moves = period.order_by().aggregate(
        in_qty=Coalesce(Sum("qty", filter=Q(qty__gt=0)), Value(ZERO), output_field=_QTY),
        in_value=Coalesce(Sum("value", filter=Q(qty__gt=0)), Value(ZERO), output_field=money_field),
        out_qty=Coalesce(Sum("qty", filter=Q(qty__lt=0)), Value(ZERO), output_field=_QTY),
        out_value=Coalesce(Sum("value", filter=Q(qty__lt=0)), Value(ZERO), output_field=money_field),
    )
    summary = CardSummary(
        opening_qty=opening["qty"],
        opening_value=opening["value"],
        in_qty=moves["in_qty"],
        in_value=moves["in_value"],
        out_qty=-moves["out_qty"],
        out_value=-moves["out_value"],
    )
    return period.order_by("id"), summary


# --- Stock invariants (manage.py check_stock) -------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """One broken invariant on one product × warehouse (or one entry): what the books should
    say (``expected``) and what they say (``found``)."""

    check: str
    product_id: int
    sku: str
    warehouse_id: int
    warehouse_code: str
    expected: str
    found: str
    entry_id: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class Violations(list):
    """The first violations of one check (all of them without a limit), and ``total``: how
    many there are in all."""

    def __init__(self, items=(), total: int | None = None):
        super().__init__(items)
        self.total = len(self) if total is None else total


TABLES = {
    "balance": StockBalance._meta.db_table,
    "entry": StockLedgerEntry._meta.db_table,
    "layer": FifoLayer._meta.db_table,
    "product": Product._meta.db_table,
    "warehouse": Warehouse._meta.db_table,
}


def _dec(value, places: Decimal) -> Decimal:
    """A database number as an exact Decimal (SQLite hands back floats for sums)."""
    if value is None:
        return ZERO.quantize(places)
    return Decimal(str(value)).quantize(places)


def format_qty(value) -> str:
    text = f"{_dec(value, QTY_PLACES).normalize():f}"
    return "0" if text in ("-0", "0") else text


def format_money_text(value) -> str:
    return f"{_dec(value, MONEY_PLACES):f}"


def _both(qty, value) -> str:
    return f"qty {format_qty(qty)}, value {format_money_text(value)}"


def run_check(check: str, sql: str, params: list, limit: int | None, shape: Callable[[tuple], tuple[str, str]]):
    """Run a check's query: it selects product_id, sku, warehouse_id, warehouse code, entry id,
    then the check's own columns; a ``COUNT(*) OVER ()`` column is added for the total, so the
    first ``limit`` rows and the count come in one statement."""
    sql = f"SELECT v.*, COUNT(*) OVER () AS total FROM ({sql}) AS v ORDER BY v.product_id, v.warehouse_id, v.entry_id"  # noqa: S608
    if limit is not None:
        sql += " LIMIT %s"
        params = [*params, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    items = []
    for row in rows:
        product_id, sku, warehouse_id, code, entry_id, *own, _total = row
        expected, found = shape(tuple(own))
        items.append(
            Violation(
                check=check,
                product_id=product_id,
                sku=sku,
                warehouse_id=warehouse_id,
                warehouse_code=code,
                expected=expected,
                found=found,
                entry_id=entry_id,
            )
        )
    return Violations(items, total=rows[0][-1] if rows else 0)


# SQLite keeps decimals as floats, so sums are compared after rounding to the field's places
# (a no-op on PostgreSQL's exact numerics).
def round_qty(expr: str) -> str:
    return f"ROUND({expr}, 4)"


def round_money(expr: str) -> str:
    return f"ROUND({expr}, 2)"


NAMES_JOIN = """JOIN {product} p ON p.id = {alias}.product_id JOIN {warehouse} w ON w.id = {alias}.warehouse_id"""


def check_balances_match_entries(limit: int | None = None) -> Violations:
    """(a) Each balance's qty and value equal the sums of its entries (a balance without
    entries is zero)."""
    sql = f"""
        SELECT b.product_id, p.sku, b.warehouse_id, w.code, NULL AS entry_id,
               COALESCE(e.qty, 0) AS entries_qty, COALESCE(e.value, 0) AS entries_value, b.qty, b.value
        FROM {TABLES["balance"]} b
        {NAMES_JOIN.format(alias="b", **TABLES)}
        LEFT JOIN (
            SELECT product_id, warehouse_id, SUM(qty) AS qty, SUM(value) AS value
            FROM {TABLES["entry"]} GROUP BY product_id, warehouse_id
        ) e ON e.product_id = b.product_id AND e.warehouse_id = b.warehouse_id
        WHERE {round_qty("b.qty")} <> {round_qty("COALESCE(e.qty, 0)")}
           OR {round_money("b.value")} <> {round_money("COALESCE(e.value, 0)")}
    """  # noqa: S608 - table names only
    return run_check("balance", sql, [], limit, lambda r: (_both(r[0], r[1]), _both(r[2], r[3])))


def check_entries_have_balances(limit: int | None = None) -> Violations:
    """(a) Every product × warehouse with entries has a balance row."""
    sql = f"""
        SELECT e.product_id, p.sku, e.warehouse_id, w.code, NULL AS entry_id, e.qty, e.value
        FROM (
            SELECT product_id, warehouse_id, SUM(qty) AS qty, SUM(value) AS value
            FROM {TABLES["entry"]} x
            WHERE NOT EXISTS (
                SELECT 1 FROM {TABLES["balance"]} b WHERE b.product_id = x.product_id
                    AND b.warehouse_id = x.warehouse_id
            )
            GROUP BY product_id, warehouse_id
        ) e
        {NAMES_JOIN.format(alias="e", **TABLES)}
    """  # noqa: S608
    return run_check("missing_balance", sql, [], limit, lambda r: ("a balance row with " + _both(r[0], r[1]), "none"))


def check_fifo_layers_match_balances(limit: int | None = None) -> Violations:
    """(b) For FIFO products, the layers' qty and value left sum to the balance."""
    sql = f"""
        SELECT b.product_id, p.sku, b.warehouse_id, w.code, NULL AS entry_id,
               b.qty, b.value, COALESCE(l.qty, 0) AS layers_qty, COALESCE(l.value, 0) AS layers_value
        FROM {TABLES["balance"]} b
        {NAMES_JOIN.format(alias="b", **TABLES)}
        LEFT JOIN (
            SELECT product_id, warehouse_id, SUM(qty_remaining) AS qty, SUM(value_remaining) AS value
            FROM {TABLES["layer"]} GROUP BY product_id, warehouse_id
        ) l ON l.product_id = b.product_id AND l.warehouse_id = b.warehouse_id
        WHERE p.valuation_method = %s
          AND ({round_qty("b.qty")} <> {round_qty("COALESCE(l.qty, 0)")}
               OR {round_money("b.value")} <> {round_money("COALESCE(l.value, 0)")})
    """  # noqa: S608
    return run_check(
        "fifo_layers",
        sql,
        [ValuationMethod.FIFO.value],
        limit,
        lambda r: (_both(r[0], r[1]), "layers " + _both(r[2], r[3])),
    )


def check_no_stray_layers(limit: int | None = None) -> Violations:
    """(b) Moving-average products have no open FIFO layers, and no layer keeps a value once
    its quantity is used up."""
    sql = f"""
        SELECT l.product_id, p.sku, l.warehouse_id, w.code, NULL AS entry_id,
               COUNT(*) AS layers, SUM(l.qty_remaining) AS qty, SUM(l.value_remaining) AS value
        FROM {TABLES["layer"]} l
        {NAMES_JOIN.format(alias="l", **TABLES)}
        WHERE (p.valuation_method <> %s AND l.qty_remaining > 0) OR (l.qty_remaining = 0 AND l.value_remaining <> 0)
        GROUP BY l.product_id, p.sku, l.warehouse_id, w.code
    """  # noqa: S608
    return run_check(
        "stray_layers",
        sql,
        [ValuationMethod.FIFO.value],
        limit,
        lambda r: ("no open layers (moving average), no value in empty layers", f"{r[0]} layers, {_both(r[1], r[2])}"),
    )


def check_no_negative_stock(limit: int | None = None) -> Violations:
    """(c) No negative quantity on hand, unless JXC_ALLOW_NEGATIVE_STOCK (never for FIFO)."""
    condition = "b.qty < 0"
    params: list = []
    if negative_stock_allowed():
        condition += " AND p.valuation_method = %s"
        params.append(ValuationMethod.FIFO.value)
    sql = f"""
        SELECT b.product_id, p.sku, b.warehouse_id, w.code, NULL AS entry_id, b.qty, b.value
        FROM {TABLES["balance"]} b
        {NAMES_JOIN.format(alias="b", **TABLES)}
        WHERE {condition}
    """  # noqa: S608
    return run_check("negative", sql, params, limit, lambda r: ("qty ≥ 0", _both(r[0], r[1])))


def check_running_balances(limit: int | None = None) -> Violations:
    """(d) Each entry's qty_after and value_after equal the running sums of the entries of its
    product × warehouse up to it, in posting (id) order."""
    sql = f"""
        SELECT t.product_id, p.sku, t.warehouse_id, w.code, t.id AS entry_id,
               t.running_qty, t.running_value, t.qty_after, t.value_after
        FROM (
            SELECT id, product_id, warehouse_id, qty_after, value_after,
                   SUM(qty) OVER running AS running_qty, SUM(value) OVER running AS running_value
            FROM {TABLES["entry"]}
            WINDOW running AS (
                PARTITION BY product_id, warehouse_id ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
            )
        ) t
        {NAMES_JOIN.format(alias="t", **TABLES)}
        WHERE {round_qty("t.qty_after")} <> {round_qty("t.running_qty")}
           OR {round_money("t.value_after")} <> {round_money("t.running_value")}
    """  # noqa: S608
    return run_check(
        "running",
        sql,
        [],
        limit,
        lambda r: ("after " + _both(r[0], r[1]), "after " + _both(r[2], r[3])),
    )


def check_zero_quantity_zero_value(limit: int | None = None) -> Violations:
    """(d) Where the quantity is zero the value is zero: after every entry and on every balance."""
    sql = f"""
        SELECT e.product_id, p.sku, e.warehouse_id, w.code, e.id AS entry_id, e.value_after AS value
        FROM {TABLES["entry"]} e
        {NAMES_JOIN.format(alias="e", **TABLES)}
        WHERE e.qty_after = 0 AND e.value_after <> 0
        UNION ALL
        SELECT b.product_id, p.sku, b.warehouse_id, w.code, NULL, b.value
        FROM {TABLES["balance"]} b
        {NAMES_JOIN.format(alias="b", **TABLES)}
        WHERE b.qty = 0 AND b.value <> 0
    """  # noqa: S608
    return run_check(
        "zero_value", sql, [], limit, lambda r: ("qty 0, value 0.00", f"qty 0, value {format_money_text(r[0])}")
    )


def check_promises_not_negative(limit: int | None = None) -> Violations:
    """(e) Reserved and ordered quantities are never negative."""
    sql = f"""
        SELECT b.product_id, p.sku, b.warehouse_id, w.code, NULL AS entry_id, b.reserved_qty, b.ordered_qty
        FROM {TABLES["balance"]} b
        {NAMES_JOIN.format(alias="b", **TABLES)}
        WHERE b.reserved_qty < 0 OR b.ordered_qty < 0
    """  # noqa: S608
    return run_check(
        "promises",
        sql,
        [],
        limit,
        lambda r: ("reserved ≥ 0, ordered ≥ 0", f"reserved {format_qty(r[0])}, ordered {format_qty(r[1])}"),
    )


# kind -> (what it means, the check). The order of the report.
STOCK_CHECKS: dict[str, tuple[str, Callable[..., Violations]]] = {
    "balance": ("Balance differs from the sum of its entries", check_balances_match_entries),
    "missing_balance": ("Entries without a balance row", check_entries_have_balances),
    "fifo_layers": ("FIFO layers differ from the balance", check_fifo_layers_match_balances),
    "stray_layers": ("Stray FIFO layers", check_no_stray_layers),
    "negative": ("Negative stock", check_no_negative_stock),
    "running": ("Entry's quantity/value after differs from the running sum", check_running_balances),
    "zero_value": ("Value left at zero quantity", check_zero_quantity_zero_value),
    "promises": ("Negative reserved or ordered quantity", check_promises_not_negative),
}


def stock_violations(*, limit: int | None = None) -> dict[str, Violations]:
    """Run every stock invariant check; ``{kind: Violations}`` (empty lists when all hold)."""
    return {kind: check(limit) for kind, (_label, check) in STOCK_CHECKS.items()}


def stock_counts() -> tuple[int, int]:
    """How many balance rows and ledger entries there are (for the report)."""
    return StockBalance.objects.count(), StockLedgerEntry.objects.count()


def check_open_order_lines(
    check: str, *, balance_field: str, order_model, line_model, done_field: str, statuses, limit: int | None = None
) -> Violations:
    """Each balance's ``balance_field`` (ordered_qty, reserved_qty) equals the open quantities
    (qty − ``done_field``, never below zero) of the order lines in ``statuses`` for it."""
    order, line = order_model._meta.db_table, line_model._meta.db_table
    placeholders = ", ".join(["%s"] * len(statuses))
    sql = f"""
        SELECT b.product_id, p.sku, b.warehouse_id, w.code, NULL AS entry_id,
               COALESCE(o.open_qty, 0) AS open_qty, b.{balance_field}
        FROM {TABLES["balance"]} b
        {NAMES_JOIN.format(alias="b", **TABLES)}
        LEFT JOIN (
            SELECT l.product_id, h.warehouse_id,
                   SUM(CASE WHEN l.qty > l.{done_field} THEN l.qty - l.{done_field} ELSE 0 END) AS open_qty
            FROM {line} l JOIN {order} h ON h.id = l.document_id
            WHERE h.status IN ({placeholders})
            GROUP BY l.product_id, h.warehouse_id
        ) o ON o.product_id = b.product_id AND o.warehouse_id = b.warehouse_id
        WHERE {round_qty(f"b.{balance_field}")} <> {round_qty("COALESCE(o.open_qty, 0)")}
    """  # noqa: S608 - table and column names only
    word = balance_field.removesuffix("_qty")
    return run_check(
        check,
        sql,
        [str(status) for status in statuses],
        limit,
        lambda r: (f"{word} {format_qty(r[0])}", f"{word} {format_qty(r[1])}"),
    )
