"""Writes for inventory master data. Each is one transaction; validation errors are Django
ValidationErrors with field messages."""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.models import GroupObjectPermission, UserObjectPermission

from apps.accounts.selectors import check_warehouse_scope
from apps.core.bulk import bulk_update_fields
from apps.core.documents import document_create, document_update, lock, require_status, set_status
from apps.core.errors import BusinessError
from apps.core.services import record_delete, record_save
from apps.finance import periods, postings

from . import ledger
from .document_selectors import SOURCE_ADJUSTMENT, SOURCE_COUNT, SOURCE_TRANSFER, category_with_descendants
from .models import (
    Category,
    Product,
    StockAdjustment,
    StockBalance,
    StockCount,
    StockCountLine,
    StockDocumentStatus,
    StockTransfer,
    Unit,
    Warehouse,
)


def warehouse_create(*, user, **fields) -> Warehouse:
    return record_save(Warehouse(), user=user, fields=fields)


def warehouse_update(*, warehouse: Warehouse, user, **fields) -> Warehouse:
    return record_save(warehouse, user=user, fields=fields)


@transaction.atomic
def warehouse_delete(*, warehouse: Warehouse, user) -> None:
    """Delete an unused warehouse together with the scope assignments that point at it."""
    content_type = ContentType.objects.get_for_model(Warehouse)
    for model in (UserObjectPermission, GroupObjectPermission):
        model.objects.filter(content_type=content_type, object_pk=str(warehouse.pk)).delete()
    record_delete(warehouse, user=user)


def category_create(*, user, **fields) -> Category:
    return record_save(Category(), user=user, fields=fields)


def category_update(*, category: Category, user, **fields) -> Category:
    return record_save(category, user=user, fields=fields)


def unit_create(*, user, **fields) -> Unit:
    return record_save(Unit(), user=user, fields=fields)


def unit_update(*, unit: Unit, user, **fields) -> Unit:
    return record_save(unit, user=user, fields=fields)


def product_create(*, user, **fields) -> Product:
    return record_save(Product(), user=user, fields=fields)


@transaction.atomic
def product_update(*, product: Product, user, **fields) -> Product:
    """Change a product. Its valuation method cannot change while it has stock anywhere: the
    cost layers (FIFO) or the average (moving average) would no longer match the balances."""
    method = fields.get("valuation_method", product.valuation_method)
    if method != product.valuation_method and product.balances.exclude(qty=0).exists():
        raise ValidationError(
            {"valuation_method": _("The valuation method cannot change while the product has stock.")}
        )
    return record_save(product, user=user, fields=fields)


# --- The warehouse's documents: stock adjustments, transfers, stock counts --------------------
# Each service is one transaction. Every write first checks that the user operates the
# warehouse(s) involved (403, nothing written), then locks the document row (apps.core.documents
# .lock) so actions on one document run one at a time. Stock moves only through ledger.post /
# ledger.reverse. Posting a posted document returns it unchanged (no second set of entries).

DRAFT, POSTED, CANCELLED = StockDocumentStatus.DRAFT, StockDocumentStatus.POSTED, StockDocumentStatus.CANCELLED


def _source(document, source_type: str) -> ledger.Source:
    return ledger.Source(type=source_type, id=document.pk, number=document.number)


def _header(**fields) -> dict:
    """The header fields a caller actually gave (None means "leave as it is")."""
    return {name: value for name, value in fields.items() if value is not None}


def _line_errors(errors: list[str]) -> None:
    if errors:
        raise ValidationError({"lines": errors})


def _cancel(document, *, user, source_type: str, warehouses: list[Warehouse]):
    """Draft -> cancelled (nothing posted); posted -> ledger.reverse, then cancelled;
    cancelled -> 409 invalid_state. ``document`` is already locked by the caller."""
    check_warehouse_scope(user, *warehouses)
    require_status(document, DRAFT, POSTED, action=_("be cancelled"))
    if document.status == POSTED:
        ledger.reverse(source=_source(document, source_type), user=user)
        periods.hold_open(timezone.localdate())
        postings.reverse(document, user=user, source_type=source_type)
    return set_status(document, CANCELLED, user=user)


# Stock adjustments (其他入库 / 其他出库)


def _check_adjustment_lines(lines: list[dict] | None) -> None:
    errors = []
    for number, line in enumerate(lines or [], start=1):
        qty = line.get("qty")
        if qty is not None and qty == 0:
            errors.append(
                _("Line %(line)s: the quantity must not be zero (positive brings stock in, negative takes it out).")
                % {"line": number}
            )
        elif qty is not None and qty < 0 and line.get("unit_cost") is not None:
            errors.append(
                _("Line %(line)s: stock going out leaves at its current cost; leave the unit cost empty.")
                % {"line": number}
            )
    _line_errors(errors)


@transaction.atomic
def stock_adjustment_create(
    *,
    user,
    warehouse: Warehouse,
    reason: str,
    lines: list[dict],
    date=None,
    note: str = "",
) -> StockAdjustment:
    """A draft adjustment (ADJ-<year>-<n>) with ``lines`` of ``{product, qty, unit_cost}``.

    Refuses a warehouse the user does not operate (403) and lines with a zero quantity or with
    a unit cost on a negative quantity (400). A positive line may leave its unit cost empty: it
    is filled in when the adjustment is posted. Nothing is written on a refusal.
    """
    check_warehouse_scope(user, warehouse)
    _check_adjustment_lines(lines)
    header = _header(warehouse=warehouse, reason=reason, date=date, note=note)
    return document_create(model=StockAdjustment, user=user, lines=lines, **header)


@transaction.atomic
def stock_adjustment_update(
    *,
    adjustment: StockAdjustment,
    user,
    warehouse: Warehouse | None = None,
    reason: str | None = None,
    date=None,
    note: str | None = None,
    lines: list[dict] | None = None,
) -> StockAdjustment:
    """Change a draft's header (fields left None stay) and, when ``lines`` is given, replace
    its lines. Locks the adjustment. Refuses (403) unless the user operates both the current
    and the new warehouse; anything but a draft is 409 ``invalid_state``."""
    adjustment = lock(adjustment)
    check_warehouse_scope(user, adjustment.warehouse, *([warehouse] if warehouse is not None else []))
    require_status(adjustment, DRAFT, action=_("edit"))
    _check_adjustment_lines(lines)
    return document_update(
        document=adjustment,
        user=user,
        lines=lines,
        **_header(warehouse=warehouse, reason=reason, date=date, note=note),
    )


@transaction.atomic
def stock_adjustment_post(*, adjustment: StockAdjustment, user) -> StockAdjustment:
    """Post a draft: positive lines come in at their unit cost (an empty one is filled in with
    the current average cost in the warehouse, else the product's purchase price, and stored
    on the line); negative lines go out at the current cost, which is then stored on the line.

    Locks the adjustment; the ledger locks the balances and values the lines. Refuses 409
    ``insufficient_stock`` (nothing written, still a draft) when a line takes more than is on
    hand, and 409 ``invalid_state`` for a cancelled adjustment.
    Posting a posted adjustment returns it unchanged.
    """
    adjustment = lock(adjustment)
    check_warehouse_scope(user, adjustment.warehouse)
    if adjustment.status == POSTED:
        return adjustment
    require_status(adjustment, DRAFT, action=_("be posted"))
    lines = list(adjustment.lines.all())
    warehouse_id = adjustment.warehouse_id
    entries = ledger.post(
        source=_source(adjustment, SOURCE_ADJUSTMENT),
        movements=[
            ledger.Movement(
                product=line.product_id,
                warehouse=warehouse_id,
                qty=line.qty,
                unit_cost=line.unit_cost if line.qty > 0 else None,
                line=line.pk,
            )
            for line in lines
        ],
        user=user,
        date=adjustment.date,
    )
    for line, entry in zip(lines, entries, strict=True):
        line.unit_cost = entry.unit_cost  # the cost it was booked at (filled in when empty)
    bulk_update_fields(lines, ["unit_cost"])
    postings.stock_adjustment(adjustment, entries, user=user, source_type=SOURCE_ADJUSTMENT)
    return set_status(adjustment, POSTED, user=user)


@transaction.atomic
def stock_adjustment_cancel(*, adjustment: StockAdjustment, user) -> StockAdjustment:
    """Cancel: a draft just becomes cancelled; a posted adjustment is reversed through the
    ledger (exact opposite entries; 409 ``insufficient_stock`` if the goods it brought in have
    left since) and becomes cancelled; a cancelled one is 409 ``invalid_state``."""
    adjustment = lock(adjustment)
    return _cancel(adjustment, user=user, source_type=SOURCE_ADJUSTMENT, warehouses=[adjustment.warehouse])


# Stock transfers (调拨)


def _check_transfer(from_warehouse: Warehouse | None, to_warehouse: Warehouse | None, lines: list[dict] | None):
    if from_warehouse is not None and from_warehouse == to_warehouse:
        raise ValidationError({"to_warehouse": [_("A transfer goes to a different warehouse than it comes from.")]})
    errors = []
    for number, line in enumerate(lines or [], start=1):
        qty = line.get("qty")
        if qty is not None and qty <= 0:
            errors.append(_("Line %(line)s: the quantity must be more than zero.") % {"line": number})
    _line_errors(errors)


@transaction.atomic
def stock_transfer_create(
    *,
    user,
    from_warehouse: Warehouse,
    to_warehouse: Warehouse,
    lines: list[dict],
    date=None,
    note: str = "",
) -> StockTransfer:
    """A draft transfer (TRF-<year>-<n>) with ``lines`` of ``{product, qty}``. The user must
    operate both warehouses (403); the warehouses must differ and quantities be positive (400)."""
    check_warehouse_scope(user, from_warehouse, to_warehouse)
    _check_transfer(from_warehouse, to_warehouse, lines)
    return document_create(
        model=StockTransfer,
        user=user,
        lines=lines,
        **_header(from_warehouse=from_warehouse, to_warehouse=to_warehouse, date=date, note=note),
    )


@transaction.atomic
def stock_transfer_update(
    *,
    transfer: StockTransfer,
    user,
    from_warehouse: Warehouse | None = None,
    to_warehouse: Warehouse | None = None,
    date=None,
    note: str | None = None,
    lines: list[dict] | None = None,
) -> StockTransfer:
    """Change a draft transfer (fields left None stay; ``lines`` replaces the lines). The user
    must operate the current and the new warehouses (403); only drafts (409 ``invalid_state``)."""
    transfer = lock(transfer)
    new = [w for w in (from_warehouse, to_warehouse) if w is not None]
    check_warehouse_scope(user, transfer.from_warehouse, transfer.to_warehouse, *new)
    require_status(transfer, DRAFT, action=_("edit"))
    _check_transfer(from_warehouse or transfer.from_warehouse, to_warehouse or transfer.to_warehouse, lines)
    return document_update(
        document=transfer,
        user=user,
        lines=lines,
        **_header(from_warehouse=from_warehouse, to_warehouse=to_warehouse, date=date, note=note),
    )


@transaction.atomic
def stock_transfer_post(*, transfer: StockTransfer, user) -> StockTransfer:
    """Post a draft: each line goes out of ``from_warehouse`` at the current cost and comes
    into ``to_warehouse`` carrying exactly that value. Locks the transfer (and, in the ledger,
    the balance rows of both warehouses). 409 ``insufficient_stock`` writes nothing; posting a
    posted transfer returns it unchanged."""
    transfer = lock(transfer)
    check_warehouse_scope(user, transfer.from_warehouse, transfer.to_warehouse)
    if transfer.status == POSTED:
        return transfer
    require_status(transfer, DRAFT, action=_("be posted"))
    movements = []
    for line in transfer.lines.all():
        movements.append(
            ledger.Movement(product=line.product_id, warehouse=transfer.from_warehouse_id, qty=-line.qty, line=line.pk)
        )
        movements.append(
            ledger.Movement(
                product=line.product_id,
                warehouse=transfer.to_warehouse_id,
                qty=line.qty,
                cost_of=len(movements) - 1,
                line=line.pk,
            )
        )
    periods.hold_open(transfer.date)  # moves no value in the books, but a closed month is closed
    ledger.post(source=_source(transfer, SOURCE_TRANSFER), movements=movements, user=user, date=transfer.date)
    return set_status(transfer, POSTED, user=user)


@transaction.atomic
def stock_transfer_cancel(*, transfer: StockTransfer, user) -> StockTransfer:
    """Cancel a draft, or reverse a posted transfer (409 ``insufficient_stock`` when the goods
    have left the receiving warehouse since); a cancelled one is 409 ``invalid_state``."""
    transfer = lock(transfer)
    return _cancel(
        transfer, user=user, source_type=SOURCE_TRANSFER, warehouses=[transfer.from_warehouse, transfer.to_warehouse]
    )


# Stock counts (盘点)


def _count_products(
    *, warehouse: Warehouse, category: Category | None, location_from: str, location_to: str, without_stock: bool
) -> list[int]:
    """The products a new count lists, in walking order (location, then SKU): every product
    with a balance row in the warehouse, within the category (and its sub-categories) and the
    location range; then, if asked, the active products of the category (or all active
    products) that have no balance row there — they have no location, so a location range
    leaves them out."""
    categories = category_with_descendants(category) if category is not None else None
    balances = StockBalance.objects.filter(warehouse=warehouse)
    if categories is not None:
        balances = balances.filter(product__category__in=categories)
    if location_from or location_to:
        balances = balances.exclude(location="")  # a range names shelves; unplaced stock is not on them
    if location_from:
        balances = balances.filter(location__gte=location_from)
    if location_to:
        balances = balances.filter(location__lte=location_to)
    products = list(balances.order_by("location", "product__sku").values_list("product_id", flat=True))
    if without_stock and not (location_from or location_to):
        others = Product.objects.filter(is_active=True).exclude(balances__warehouse=warehouse)
        if categories is not None:
            others = others.filter(category__in=categories)
        products += list(others.order_by("sku").values_list("pk", flat=True))
    return products


def _system_qty(count: StockCount, product_ids) -> dict[int, Decimal]:
    """On hand now (committed) for the snapshot of lines being counted; no row = 0."""
    rows = StockBalance.objects.filter(warehouse_id=count.warehouse_id, product_id__in=set(product_ids))
    found = dict(rows.values_list("product_id", "qty"))
    return {pk: found.get(pk, Decimal("0")) for pk in product_ids}


def _check_counted(value, *, field: str = "counted_qty") -> None:
    if value is not None and value < 0:
        raise ValidationError({field: [_("A counted quantity cannot be negative.")]})


def _count_lines(count: StockCount, *, user, changes: list[tuple[Product, Decimal | None, bool]]) -> list:
    """Apply counted quantities to a locked draft count: ``(product, qty, add)`` sets the line's
    counted quantity to ``qty`` (``add=False``: typing a number; None clears the count) or adds
    ``qty`` to it (``add=True``: a scan). A product not on the sheet gets a new line.

    The system quantity is snapshotted from the balance when a line's counting starts: on
    every typed number (a complete count at that moment) and on a scan of a line not counted
    yet; later scans keep the snapshot they continue from. Posting books counted − snapshot."""
    products = [product for product, _qty, _add in changes]
    existing = {line.product_id: line for line in count.lines.filter(product__in=products)}
    system = _system_qty(count, [p.pk for p in products])
    now = timezone.now()
    next_no = (count.lines.aggregate(last=Max("line_no"))["last"] or 0) + 1
    new, changed = {}, {}
    for product, qty, add in changes:
        line = existing.get(product.pk)
        if line is None:
            line = existing[product.pk] = new[product.pk] = StockCountLine(
                document=count, product=product, line_no=next_no
            )
            next_no += 1
        elif product.pk not in new:
            changed[product.pk] = line
        if add:
            if line.counted_qty is None:
                line.counted_qty, line.system_qty = Decimal("0"), system[product.pk]
            line.counted_qty += qty
        elif qty is None:
            line.counted_qty = line.system_qty = None
        else:
            line.counted_qty, line.system_qty = qty, system[product.pk]
        line.counted_at = now if line.counted_qty is not None else None
        line.counted_by = user if line.counted_qty is not None else None
    if new:
        StockCountLine.objects.bulk_create(new.values())
    if changed:
        _save_counts(list(changed.values()))
    return [existing[product.pk] for product in products]


def _save_counts(lines: list[StockCountLine]) -> None:
    bulk_update_fields(lines, ["counted_qty", "system_qty", "counted_at", "counted_by"])


def _as_changes(lines: list[dict] | None) -> list[tuple[Product, Decimal | None, bool]]:
    errors = []
    for number, line in enumerate(lines or [], start=1):
        value = line.get("counted_qty")
        if value is not None and value < 0:
            errors.append(_("Line %(line)s: a counted quantity cannot be negative.") % {"line": number})
    _line_errors(errors)
    return [(line["product"], line.get("counted_qty"), False) for line in lines or []]


@transaction.atomic
def stock_count_create(
    *,
    user,
    warehouse: Warehouse,
    category: Category | None = None,
    location_from: str = "",
    location_to: str = "",
    include_products_without_stock: bool = False,
    lines: list[dict] | None = None,
    date=None,
    note: str = "",
) -> StockCount:
    """Start a count (CNT-<year>-<n>): one uncounted line per product of the warehouse in the
    scope (see ``_count_products``), plus the products of ``lines`` (``{product,
    counted_qty}``), whose counted quantities are then set as if typed.

    The user must operate the warehouse (403). A location range runs from ``location_from``
    to ``location_to`` on the balances' locations (either end may be open). Nothing in the
    scope and no lines is refused (400): there would be nothing to count.
    """
    check_warehouse_scope(user, warehouse)
    location_from, location_to = (location_from or "").strip(), (location_to or "").strip()
    if location_from and location_to and location_from > location_to:
        raise ValidationError({"location_to": [_("The range ends before it starts.")]})
    changes = _as_changes(lines)
    products = _count_products(
        warehouse=warehouse,
        category=category,
        location_from=location_from,
        location_to=location_to,
        without_stock=include_products_without_stock,
    )
    listed = set(products)
    for product, _qty, _add in changes:  # counted products outside the scope join the sheet
        if product.pk not in listed:
            listed.add(product.pk)
            products.append(product.pk)
    if not products:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _(
                        "No product in %(warehouse)s matches this count: choose another category or location "
                        "range, or include the products without stock."
                    )
                    % {"warehouse": warehouse}
                ]
            }
        )
    count = document_create(
        model=StockCount,
        user=user,
        lines=[{"product_id": pk} for pk in products],
        **_header(
            warehouse=warehouse,
            category=category,
            location_from=location_from,
            location_to=location_to,
            date=date,
            note=note,
        ),
    )
    if changes:
        _count_lines(count, user=user, changes=changes)
    return count


@transaction.atomic
def stock_count_update(
    *,
    count: StockCount,
    user,
    date=None,
    note: str | None = None,
    lines: list[dict] | None = None,
    **scope,
) -> StockCount:
    """Change a draft count's date or note; ``lines`` (``{product, counted_qty}``) set counted
    quantities as if typed (they do not replace the sheet). The scope a count started with
    (warehouse, category, location range) is fixed: a different value is refused (400) —
    cancel the count and start another. Locks the count; only drafts (409 ``invalid_state``)."""
    count = lock(count)
    check_warehouse_scope(user, count.warehouse)
    require_status(count, DRAFT, action=_("edit"))
    fixed = {}
    for name, value in scope.items():
        if name not in ("warehouse", "category", "location_from", "location_to"):
            raise TypeError(f"stock_count_update() got an unexpected keyword argument {name!r}")
        if (value or None) != (getattr(count, name) or None):
            fixed[name] = [_("A started count keeps its scope: cancel it and start a new count instead.")]
    if fixed:
        raise ValidationError(fixed)
    changes = _as_changes(lines)
    count = document_update(document=count, user=user, **_header(date=date, note=note))
    if changes:
        _count_lines(count, user=user, changes=changes)
    return count


@transaction.atomic
def stock_count_set_line(*, count: StockCount, user, product: Product, counted_qty: Decimal | None) -> StockCountLine:
    """Typing a number: set the counted quantity of ``product`` (adding a line if the product is
    not on the sheet) and snapshot its system quantity now. ``None`` clears the count. Locks
    the count; the user must operate its warehouse (403); only drafts (409 ``invalid_state``);
    a negative quantity is 400."""
    count = lock(count)
    check_warehouse_scope(user, count.warehouse)
    require_status(count, DRAFT, action=_("be counted"))
    _check_counted(counted_qty)
    [line] = _count_lines(count, user=user, changes=[(product, counted_qty, False)])
    return line


def product_for_code(code: str) -> Product | None:
    """The product a scanner or a typed code names: by barcode first, then by SKU."""
    code = (code or "").strip()
    if not code:
        return None
    return Product.objects.filter(barcode=code).first() or Product.objects.filter(sku__iexact=code).first()


@transaction.atomic
def stock_count_scan(*, count: StockCount, user, barcode: str) -> StockCountLine:
    """A barcode scan: one more of that product (a line is added if it is not on the sheet).
    The first scan of an uncounted line snapshots its system quantity. An unknown barcode (or
    SKU) is 400; otherwise as :func:`stock_count_set_line`."""
    count = lock(count)
    check_warehouse_scope(user, count.warehouse)
    require_status(count, DRAFT, action=_("be counted"))
    product = product_for_code(barcode)
    if product is None:
        raise ValidationError(
            {"barcode": [_("No product has the barcode or SKU “%(code)s”.") % {"code": (barcode or "").strip()}]}
        )
    [line] = _count_lines(count, user=user, changes=[(product, Decimal("1"), True)])
    return line


@transaction.atomic
def stock_count_post(*, count: StockCount, user) -> StockCount:
    """Post the variances: for every counted line, counted − snapshot. Gains come in at the
    current average cost in the warehouse (or the purchase price when there is no stock);
    losses go out at the current cost. Lines not counted and lines without variance post
    nothing, so movements between counting and posting are neither lost nor doubled.

    Locks the count; the ledger locks the balances and values the gains. 409
    ``invalid_state`` when nothing was counted or the count is cancelled; 409
    ``insufficient_stock`` (nothing written) when goods left after counting so a loss would
    take stock below zero. Posting a posted count returns it unchanged.
    """
    count = lock(count)
    check_warehouse_scope(user, count.warehouse)
    if count.status == POSTED:
        return count
    require_status(count, DRAFT, action=_("be posted"))
    counted = list(count.lines.filter(counted_qty__isnull=False).select_related("product").order_by("line_no", "id"))
    if not counted:
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("%(number)s has no counted line yet: count at least one product before posting.")
            % {"number": count.number},
        )
    periods.hold_open(count.date)  # a count without differences books nothing, but its month must be open
    moving = [line for line in counted if line.variance != 0]
    if moving:
        # Gains come in at the current cost (the ledger's rule when no cost is given).
        movements = [
            ledger.Movement(product=line.product_id, warehouse=count.warehouse_id, qty=line.variance, line=line.pk)
            for line in moving
        ]
        entries = ledger.post(source=_source(count, SOURCE_COUNT), movements=movements, user=user, date=count.date)
        postings.stock_count(count, entries, user=user, source_type=SOURCE_COUNT)
    return set_status(count, POSTED, user=user)


@transaction.atomic
def stock_count_cancel(*, count: StockCount, user) -> StockCount:
    """Cancel a count before posting (draft -> cancelled, nothing booked). A posted count is
    corrected by a new count or an adjustment, not cancelled: 409 ``invalid_state``."""
    count = lock(count)
    check_warehouse_scope(user, count.warehouse)
    require_status(count, DRAFT, action=_("be cancelled"))
    return set_status(count, CANCELLED, user=user)
