"""Report reads of purchasing: purchase planning (采购计划), purchases by supplier, product or
month, the open (in transit) order lines and supplier performance.

Each report is a handful of set queries whatever the number of rows: the database groups and
sums, Python only merges the grouped rows and does the exact Decimal arithmetic (so the same
figures come out on PostgreSQL and SQLite). Every report is limited to the warehouses its
reader reads (``apps.accounts.selectors``): a warehouse clerk sees only theirs. Reports count
posted documents only; drafts and cancelled documents are left out (a cancelled receipt's
reversal is not "negative purchases": the receipt simply no longer counts).

The API (``apps/reports/api.py``), the pages (``apps/reports/views.py``) and the supplier page
call these same functions.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from apps.accounts.selectors import in_read_scope, readable_warehouses
from apps.core.fields import ZERO, money
from apps.core.grouping import MONTH, LineSource, count_documents, grouped_line_totals
from apps.inventory.models import Product, StockBalance, StockLedgerEntry
from apps.suppliers.models import Supplier, SupplierProduct

from .models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    PurchaseReceipt,
    PurchaseReceiptLine,
    PurchaseReturnLine,
)

POSTED = "posted"
# Orders still waiting for goods (their open lines are "in transit").
OPEN_ORDER_STATUSES = (PurchaseOrderStatus.APPROVED, PurchaseOrderStatus.PARTIALLY_RECEIVED)
# Orders that were actually placed with the supplier (counted by supplier performance).
PLACED_ORDER_STATUSES = (
    PurchaseOrderStatus.APPROVED,
    PurchaseOrderStatus.PARTIALLY_RECEIVED,
    PurchaseOrderStatus.RECEIVED,
    PurchaseOrderStatus.CLOSED,
)
# Ledger source types of sales: deliveries take stock out, sales returns bring it back.
SOURCE_DELIVERY = "delivery"
SOURCE_SALES_RETURN = "sales_return"
DEFAULT_LEAD_TIME_DAYS = 7
GROUP_BY = ("supplier", "product", "month")

QTY = Decimal("0.0001")
RATE = Decimal("0.0001")
DAYS = Decimal("0.01")


def _q(value) -> Decimal:
    return Decimal(value).quantize(QTY, rounding=ROUND_HALF_UP)


def _ratio(part, whole) -> Decimal | None:
    """``part / whole`` as a fraction with 4 places; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE, rounding=ROUND_HALF_UP)


def _round_up(value: Decimal, decimals: int) -> Decimal:
    """``value`` rounded up to the unit's precision (whole units for a unit without decimals)."""
    step = Decimal(1).scaleb(-min(max(decimals, 0), 4))
    return value.quantize(step, rounding=ROUND_CEILING).quantize(QTY)


def _search(queryset, text: str, prefix: str = ""):
    for word in (text or "").split()[:5]:
        queryset = queryset.filter(
            Q(**{f"{prefix}sku__icontains": word})
            | Q(**{f"{prefix}name__icontains": word})
            | Q(**{f"{prefix}name_pinyin__icontains": word})
            | Q(**{f"{prefix}barcode": word})
        )
    return queryset


# --- Purchase planning (采购计划) -----------------------------------------------------------


def suggested_quantity(
    *,
    available: Decimal,
    ordered: Decimal,
    reorder_point: Decimal,
    reorder_qty: Decimal,
    min_order_qty: Decimal,
    decimals: int,
) -> Decimal:
    """What to order for one product in one warehouse: nothing while the projected stock
    (available + ordered) reaches the reorder point; otherwise the shortfall, but at least the
    product's reorder quantity and the supplier's minimum order quantity, rounded up to the
    unit's precision."""
    projected = available + ordered
    if projected >= reorder_point:
        return ZERO.quantize(QTY)
    qty = max(reorder_point - projected, reorder_qty, min_order_qty)
    return _round_up(qty, decimals)


def purchase_suggestions(
    *,
    user,
    warehouse=None,
    velocity_days: int | None = None,
    only_needed: bool = True,
    supplier: Supplier | None = None,
    search: str = "",
    today: datetime.date | None = None,
) -> list[dict]:
    """One row per active product × active warehouse that ``user`` reads: the pairs that have a
    stock balance, and every product with a safety stock in every warehouse.

    ``velocity`` is the net quantity sold (deliveries minus sales returns, from the stock
    ledger) over the last ``velocity_days`` days (``JXC_PLANNING_VELOCITY_DAYS`` by default),
    per day; the lead time is the preferred supplier's (else 7 days); ``reorder_point`` =
    safety stock + velocity × lead time; ``suggested_qty`` from :func:`suggested_quantity`,
    ``supplier`` the preferred supplier's id (None without one). ``only_needed`` keeps the rows
    with something to order; ``supplier`` keeps the products it is the preferred supplier of;
    ``search`` matches SKU, name, pinyin or barcode. Ordered by SKU, then warehouse code.

    Five queries whatever the number of products (balances, products with a safety stock,
    warehouses, sales in the window grouped by product and warehouse, preferred suppliers)."""
    days = int(velocity_days or settings.JXC_PLANNING_VELOCITY_DAYS)
    today = today or timezone.localdate()
    warehouses = readable_warehouses(user).filter(is_active=True)
    if warehouse is not None:
        warehouses = warehouses.filter(pk=warehouse.pk)
    warehouse_codes = dict(warehouses.order_by("code").values_list("pk", "code"))
    if not warehouse_codes:
        return []
    products = _search(Product.objects.filter(is_active=True), search)
    if supplier is not None:
        products = products.filter(suppliers__supplier=supplier, suppliers__is_preferred=True)
    product_fields = (
        "sku",
        "name",
        "safety_stock",
        "reorder_qty",
        "purchase_price",
        "unit__name",
        "unit__decimals",
    )
    info: dict[int, dict] = {}
    pairs: dict[tuple[int, int], dict] = {}
    balances = StockBalance.objects.filter(warehouse__in=list(warehouse_codes), product__in=products.values("pk"))
    for row in balances.values(
        "product_id", "warehouse_id", "qty", "reserved_qty", "ordered_qty", *(f"product__{f}" for f in product_fields)
    ):
        info.setdefault(row["product_id"], {f: row[f"product__{f}"] for f in product_fields})
        pairs[(row["product_id"], row["warehouse_id"])] = row
    for row in products.filter(safety_stock__gt=0).values("pk", *product_fields):
        info.setdefault(row["pk"], {f: row[f] for f in product_fields})
        for warehouse_id in warehouse_codes:
            pairs.setdefault((row["pk"], warehouse_id), {"qty": ZERO, "reserved_qty": ZERO, "ordered_qty": ZERO})
    if not pairs:
        return []
    sold = {
        (row["product_id"], row["warehouse_id"]): -row["net"]
        for row in StockLedgerEntry.objects.filter(
            source_type__in=(SOURCE_DELIVERY, SOURCE_SALES_RETURN),
            date__gt=today - datetime.timedelta(days=days),
            date__lte=today,
            warehouse__in=list(warehouse_codes),
            product__in=list(info),
        )
        .values("product_id", "warehouse_id")
        .annotate(net=Sum("qty"))
        .order_by()
    }
    preferred = {
        row["product_id"]: row
        for row in SupplierProduct.objects.filter(product__in=list(info), is_preferred=True).values(
            "product_id",
            "supplier_id",
            "supplier__code",
            "supplier__name",
            "lead_time_days",
            "min_order_qty",
            "last_price",
        )
    }
    rows = []
    for (product_id, warehouse_id), stock in pairs.items():
        product = info[product_id]
        choice = preferred.get(product_id)
        lead_time = choice["lead_time_days"] if choice else DEFAULT_LEAD_TIME_DAYS
        net_sold = max(sold.get((product_id, warehouse_id), ZERO), ZERO)
        reorder_point = _q(product["safety_stock"] + net_sold * lead_time / days)
        available = stock["qty"] - stock["reserved_qty"]
        suggested = suggested_quantity(
            available=available,
            ordered=stock["ordered_qty"],
            reorder_point=reorder_point,
            reorder_qty=product["reorder_qty"],
            min_order_qty=choice["min_order_qty"] if choice else ZERO,
            decimals=product["unit__decimals"],
        )
        if only_needed and suggested <= 0:
            continue
        last_price = choice["last_price"] if choice else None
        unit_price = last_price if last_price is not None else product["purchase_price"]
        rows.append(
            {
                "product": product_id,
                "warehouse": warehouse_id,
                "available_qty": available,
                "ordered_qty": stock["ordered_qty"],
                "safety_stock": product["safety_stock"],
                "suggested_qty": suggested,
                "supplier": choice["supplier_id"] if choice else None,
                "sku": product["sku"],
                "name": product["name"],
                "unit": product["unit__name"],
                "unit_decimals": product["unit__decimals"],
                "warehouse_code": warehouse_codes[warehouse_id],
                "qty": stock["qty"],
                "reserved_qty": stock["reserved_qty"],
                "projected_qty": available + stock["ordered_qty"],
                "sold_qty": net_sold,
                "velocity": _q(net_sold / days),
                "lead_time_days": lead_time,
                "reorder_point": reorder_point,
                "reorder_qty": product["reorder_qty"],
                "min_order_qty": choice["min_order_qty"] if choice else ZERO,
                "supplier_code": choice["supplier__code"] if choice else "",
                "supplier_name": choice["supplier__name"] if choice else "",
                "last_price": last_price,
                "unit_price": unit_price,
                "amount": money(suggested * unit_price),
            }
        )
    rows.sort(key=lambda row: (row["sku"], row["warehouse_code"]))
    return rows


# --- Purchases (采购汇总) ---------------------------------------------------------------------


def _period(queryset, field: str, date_from, date_to):
    if date_from is not None:
        queryset = queryset.filter(**{f"{field}__gte": date_from})
    if date_to is not None:
        queryset = queryset.filter(**{f"{field}__lte": date_to})
    return queryset


def _posted_lines(model, *, user, date_from, date_to, warehouse=None, supplier=None):
    queryset = model.objects.filter(document__status=POSTED)
    queryset = in_read_scope(_period(queryset, "document__date", date_from, date_to), user, "document__warehouse")
    if warehouse is not None:
        queryset = queryset.filter(document__warehouse=warehouse)
    if supplier is not None:
        queryset = queryset.filter(document__supplier=supplier)
    return queryset


_GROUPS = {
    "supplier": ("document__supplier", "document__supplier__code", "document__supplier__name"),
    "product": ("product", "product__sku", "product__name"),
    "month": (MONTH,),
}
_SUMS = {"qty": "qty", "net_amount": "net_amount", "tax_amount": "tax_amount"}


def purchases_report(
    *,
    user,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    group_by: str = "supplier",
    warehouse=None,
    supplier: Supplier | None = None,
) -> dict:
    """Purchases by supplier, product or month (采购汇总): the lines of posted purchase
    receipts minus those of posted purchase returns whose document date is in the period.

    Rows ``{key, label, qty, net_amount, tax_amount, amount, receipts}`` (``key`` is the
    supplier or product id as text, or ``YYYY-MM``; ``receipts`` counts the receipts in the
    group), ordered by supplier code, SKU or month; ``totals`` the same sums over every row
    (``receipts``: the distinct receipts). Three queries."""
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {GROUP_BY}")
    scope = {"user": user, "date_from": date_from, "date_to": date_to, "warehouse": warehouse, "supplier": supplier}
    sources = [
        LineSource(_posted_lines(PurchaseReceiptLine, **scope), 1, True),
        LineSource(_posted_lines(PurchaseReturnLine, **scope), -1),
    ]
    result = grouped_line_totals(sources, _GROUPS[group_by], _SUMS, documents="receipts")
    for row in result:
        row["amount"] = row["net_amount"] + row["tax_amount"]
    totals = {name: sum((row[name] for row in result), ZERO) for name in ("qty", "net_amount", "tax_amount", "amount")}
    totals["receipts"] = count_documents(_posted_lines(PurchaseReceiptLine, **scope)) if result else 0
    return {"rows": result, "totals": totals}


# --- Open order lines (在途) -------------------------------------------------------------------


def open_purchase_lines(
    *,
    user,
    supplier: Supplier | None = None,
    warehouse=None,
    product: Product | None = None,
    overdue: bool | None = None,
    today: datetime.date | None = None,
) -> dict:
    """The lines of approved and partially received purchase orders still waiting for goods
    (ordered > received), in the warehouses ``user`` reads: ``open_qty`` = ordered − received,
    ``open_amount`` = open_qty × unit price (net of VAT), ``overdue`` when the expected date is
    before ``today``. ``overdue`` True/False keeps only (not) overdue lines. Ordered by expected
    date (undated last), order number and line. One query; ``totals`` sums open_amount."""
    today = today or timezone.localdate()
    queryset = in_read_scope(
        PurchaseOrderLine.objects.filter(document__status__in=OPEN_ORDER_STATUSES, qty__gt=F("received_qty")),
        user,
        "document__warehouse",
    )
    if supplier is not None:
        queryset = queryset.filter(document__supplier=supplier)
    if warehouse is not None:
        queryset = queryset.filter(document__warehouse=warehouse)
    if product is not None:
        queryset = queryset.filter(product=product)
    if overdue is True:
        queryset = queryset.filter(document__expected_date__lt=today)
    elif overdue is False:
        queryset = queryset.filter(Q(document__expected_date__gte=today) | Q(document__expected_date__isnull=True))
    queryset = queryset.order_by(
        F("document__expected_date").asc(nulls_last=True), "document__number", "line_no", "pk"
    ).values(
        "pk",
        "line_no",
        "document_id",
        "document__number",
        "document__date",
        "document__status",
        "document__supplier_id",
        "document__supplier__code",
        "document__supplier__name",
        "document__warehouse_id",
        "document__warehouse__code",
        "document__expected_date",
        "product_id",
        "product__sku",
        "product__name",
        "product__unit__name",
        "qty",
        "received_qty",
        "unit_price",
    )
    rows = []
    for line in queryset:
        open_qty = line["qty"] - line["received_qty"]
        expected = line["document__expected_date"]
        rows.append(
            {
                "purchase_order": line["document_id"],
                "number": line["document__number"],
                "line_no": line["line_no"],
                "date": line["document__date"],
                "status": line["document__status"],
                "supplier": line["document__supplier_id"],
                "supplier_code": line["document__supplier__code"],
                "supplier_name": line["document__supplier__name"],
                "warehouse": line["document__warehouse_id"],
                "warehouse_code": line["document__warehouse__code"],
                "product": line["product_id"],
                "sku": line["product__sku"],
                "name": line["product__name"],
                "unit": line["product__unit__name"],
                "ordered_qty": line["qty"],
                "received_qty": line["received_qty"],
                "open_qty": open_qty,
                "unit_price": line["unit_price"],
                "open_amount": money(open_qty * line["unit_price"]),
                "expected_date": expected,
                "overdue": expected is not None and expected < today,
                "days_overdue": (today - expected).days if expected is not None and expected < today else 0,
            }
        )
    totals = {
        "open_qty": sum((row["open_qty"] for row in rows), ZERO),
        "open_amount": sum((row["open_amount"] for row in rows), ZERO),
    }
    return {"rows": rows, "totals": totals}


# --- Supplier performance (供应商绩效) --------------------------------------------------------


def _empty_performance(supplier_id: int) -> dict:
    return {
        "supplier": supplier_id,
        "code": "",
        "name": "",
        "orders": 0,
        "receipts": 0,
        "on_time_receipts": 0,
        "due_receipts": 0,
        "on_time_rate": None,
        "avg_lead_time_days": None,
        "received_qty": ZERO,
        "received_value": ZERO,
        "returned_qty": ZERO,
        "returned_value": ZERO,
        "return_rate_qty": None,
        "return_rate_value": None,
        "_lead_days": 0,
        "_lead_receipts": 0,
    }


def _rates(row: dict) -> None:
    row["on_time_rate"] = _ratio(row["on_time_receipts"], row["due_receipts"])
    row["avg_lead_time_days"] = (
        (Decimal(row["_lead_days"]) / row["_lead_receipts"]).quantize(DAYS, rounding=ROUND_HALF_UP)
        if row["_lead_receipts"]
        else None
    )
    row["return_rate_qty"] = _ratio(row["returned_qty"], row["received_qty"])
    row["return_rate_value"] = _ratio(row["returned_value"], row["received_value"])


def supplier_performance(
    *,
    user,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    supplier: Supplier | None = None,
) -> dict:
    """How each supplier delivered in the period, from posted documents of the warehouses
    ``user`` reads (drafts and cancelled documents never count):

    - ``orders``: purchase orders dated in the period that were placed (approved, received or
      closed; not drafts, not cancelled);
    - ``receipts``: posted receipts dated in the period; ``on_time_rate`` = those against an
      order with an expected date that came on or before it / all such receipts
      (``on_time_receipts`` / ``due_receipts``); ``avg_lead_time_days`` = receipt date − order
      date, averaged over the receipts against an order;
    - ``received_qty/value`` and ``returned_qty/value``: quantities and net (VAT-exclusive)
      amounts of posted receipt and return lines dated in the period, and the return rates
      returned / received (None when nothing was received).

    Suppliers with any of these in the period, ordered by code (``supplier`` given: that one,
    with zeros if it did nothing). ``totals`` over all rows. Five queries."""
    suppliers: dict[int, dict] = {}

    def row_of(supplier_id: int) -> dict:
        return suppliers.setdefault(supplier_id, _empty_performance(supplier_id))

    if supplier is not None:
        row_of(supplier.pk)

    def scoped(queryset, date_field: str, warehouse_field: str, supplier_field: str):
        queryset = in_read_scope(_period(queryset, date_field, date_from, date_to), user, warehouse_field)
        return queryset.filter(**{supplier_field: supplier}) if supplier is not None else queryset

    orders = scoped(PurchaseOrder.objects.filter(status__in=PLACED_ORDER_STATUSES), "date", "warehouse", "supplier")
    for group in orders.values("supplier_id").annotate(n=Count("pk")).order_by():
        row_of(group["supplier_id"])["orders"] = group["n"]

    receipts = scoped(PurchaseReceipt.objects.filter(status=POSTED), "date", "warehouse", "supplier")
    lead = ExpressionWrapper(F("date") - F("purchase_order__date"), output_field=DurationField())
    for group in (
        receipts.values("supplier_id")
        .annotate(
            n=Count("pk"),
            due=Count("pk", filter=Q(purchase_order__expected_date__isnull=False)),
            on_time=Count("pk", filter=Q(purchase_order__expected_date__gte=F("date"))),
            against_orders=Count("pk", filter=Q(purchase_order__isnull=False)),
            lead=Sum(lead, filter=Q(purchase_order__isnull=False)),
        )
        .order_by()
    ):
        row = row_of(group["supplier_id"])
        row.update(receipts=group["n"], due_receipts=group["due"], on_time_receipts=group["on_time"])
        row["_lead_receipts"] = group["against_orders"]
        row["_lead_days"] = group["lead"] // datetime.timedelta(days=1) if group["lead"] is not None else 0

    for model, qty_name, value_name in (
        (PurchaseReceiptLine, "received_qty", "received_value"),
        (PurchaseReturnLine, "returned_qty", "returned_value"),
    ):
        lines = scoped(
            model.objects.filter(document__status=POSTED), "document__date", "document__warehouse", "document__supplier"
        )
        for group in lines.values("document__supplier_id").annotate(qty=Sum("qty"), value=Sum("net_amount")).order_by():
            row = row_of(group["document__supplier_id"])
            row[qty_name], row[value_name] = group["qty"], group["value"]

    for pk, code, name in Supplier.objects.filter(pk__in=list(suppliers)).values_list("pk", "code", "name"):
        suppliers[pk].update(code=code, name=name)
    rows = sorted(suppliers.values(), key=lambda row: row["code"])
    totals = _empty_performance(0)
    del totals["supplier"], totals["code"]
    for row in rows:
        _rates(row)
        for name in (
            "orders",
            "receipts",
            "on_time_receipts",
            "due_receipts",
            "received_qty",
            "received_value",
            "returned_qty",
            "returned_value",
            "_lead_days",
            "_lead_receipts",
        ):
            totals[name] += row[name]
    _rates(totals)
    for row in [*rows, totals]:
        del row["_lead_days"], row["_lead_receipts"]
    return {"rows": rows, "totals": totals}
