"""Writes of purchasing: purchase orders, receipts and returns. Each service is one transaction.

Locks are taken in one order everywhere: the document acted on, then the document it is
against (receipt → its order, return → its receipt), then stock balances (``ledger.post`` /
``ledger.lock_balances``), then the supplier (``apps.finance.payables``). Stock moves only
through the ledger; payables change only through ``apps.finance.payables``. Acting twice
(posting a posted receipt, approving an approved order) changes nothing the second time.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.selectors import check_warehouse_scope
from apps.core.bulk import bulk_update_fields
from apps.core.documents import (
    check_same_as,
    document_create,
    document_update,
    given_fields,
    lines_against,
    lock,
    qty_by_source_line,
    refuse_lines,
    require_fields,
    require_status,
    set_status,
)
from apps.core.errors import BusinessError
from apps.core.fields import ZERO, money
from apps.core.formatting import format_quantity
from apps.finance import payables, postings
from apps.inventory import ledger
from apps.inventory.models import Product, StockLedgerEntry, Warehouse
from apps.inventory.priced import price_document
from apps.suppliers.models import Supplier, SupplierProduct

from .models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    PurchaseReceipt,
    PurchaseReceiptLine,
    PurchaseReturn,
)
from .selectors import SOURCE_RECEIPT, SOURCE_RETURN

PO = PurchaseOrderStatus
DRAFT, POSTED, CANCELLED = "draft", "posted", "cancelled"
APPROVE_LARGE = "purchasing.approve_large_purchaseorder"


_header = given_fields
_line_errors = refuse_lines


def _check_supplier(supplier: Supplier | None) -> None:
    if supplier is not None and not supplier.is_active:
        raise ValidationError({"supplier": [_("This supplier is inactive.")]})


_price = price_document


def _source(document, source_type: str) -> ledger.Source:
    return ledger.Source(type=source_type, id=document.pk, number=document.number)


def _ap_source(document, source_type: str) -> payables.Source:
    return payables.Source(type=source_type, id=document.pk, number=document.number)


def _change_ordered(warehouse_id: int, deltas: dict[int, Decimal]) -> None:
    ledger.add_to_balances("ordered_qty", warehouse_id, deltas)


# --- Purchase orders (采购订单) -------------------------------------------------------------


def _order_lines(lines: list[dict] | None) -> list[dict] | None:
    """Lines with their defaults: the product's purchase price when no price is given."""
    if lines is None:
        return None
    result = []
    for line in lines:
        line = dict(line)
        product = line.get("product")
        if line.get("unit_price") is None and isinstance(product, Product):
            line["unit_price"] = product.purchase_price
        if line.get("tax_rate") is None:
            line.pop("tax_rate", None)
        result.append(line)
    return result


@transaction.atomic
def purchase_order_create(
    *,
    user,
    supplier: Supplier,
    warehouse: Warehouse,
    lines: list[dict],
    date=None,
    expected_date=None,
    note: str = "",
) -> PurchaseOrder:
    """A draft purchase order (PO-<year>-<n>) with ``lines`` of {product, qty, unit_price,
    tax_rate}; an empty price is the product's purchase price, an empty rate the default VAT.
    Refuses an inactive supplier and invalid lines (400); nothing is written on a refusal."""
    _check_supplier(supplier)
    header = _header(supplier=supplier, warehouse=warehouse, date=date, expected_date=expected_date, note=note)
    order = document_create(model=PurchaseOrder, user=user, lines=_order_lines(lines), **header)
    _price(order, "unit_price")
    return order


@transaction.atomic
def purchase_order_update(
    *,
    order: PurchaseOrder,
    user,
    supplier: Supplier | None = None,
    warehouse: Warehouse | None = None,
    date=None,
    expected_date=None,
    note: str | None = None,
    lines: list[dict] | None = None,
) -> PurchaseOrder:
    """Change a draft order (fields left None stay; ``lines`` given replace them). Anything but
    a draft is 409 ``invalid_state``."""
    order = lock(order)
    require_status(order, PO.DRAFT, action=_("edit"))
    _check_supplier(supplier)
    header = _header(supplier=supplier, warehouse=warehouse, date=date, expected_date=expected_date, note=note)
    order = document_update(document=order, user=user, lines=_order_lines(lines), **header)
    _price(order, "unit_price")
    return order


@transaction.atomic
def purchase_order_submit(*, order: PurchaseOrder, user) -> PurchaseOrder:
    """Draft → submitted (waiting for approval). Submitting a submitted order changes nothing."""
    order = lock(order)
    if order.status == PO.SUBMITTED:
        return order
    require_status(order, PO.DRAFT, action=_("be submitted"))
    _check_supplier(order.supplier)
    order.submitted_at = timezone.now()
    order.save(update_fields=["submitted_at"])
    return set_status(order, PO.SUBMITTED, user=user)


def approval_threshold() -> Decimal:
    return money(settings.JXC_PO_APPROVAL_THRESHOLD)


def needs_management(order: PurchaseOrder) -> bool:
    """Whether the order's total (VAT included) is above the approval threshold."""
    return order.total > approval_threshold()


@transaction.atomic
def purchase_order_approve(*, order: PurchaseOrder, user) -> PurchaseOrder:
    """Submitted → approved: the open quantities now count as ordered in the warehouse.

    Refuses the order's creator (409 ``self_approval``) and, above the approval threshold,
    anyone without the management approval permission (403). Locks the order, then the
    balances. Approving an approved order changes nothing."""
    order = lock(order)
    if order.status == PO.APPROVED:
        return order
    require_status(order, PO.SUBMITTED, action=_("be approved"))
    if order.created_by_id == user.pk:
        raise BusinessError(
            BusinessError.SELF_APPROVAL,
            _("You created %(number)s: someone else has to approve it.") % {"number": order.number},
        )
    if needs_management(order) and not user.has_perm(APPROVE_LARGE):
        raise PermissionDenied(
            _("%(number)s totals %(total)s, above the approval threshold of %(threshold)s: management approves it.")
            % {"number": order.number, "total": order.total, "threshold": approval_threshold()}
        )
    deltas: dict[int, Decimal] = defaultdict(Decimal)
    for line in order.lines.all():
        deltas[line.product_id] += line.open_qty
    _change_ordered(order.warehouse_id, deltas)
    order.approved_by = user
    order.approved_at = timezone.now()
    order.save(update_fields=["approved_by", "approved_at"])
    return set_status(order, PO.APPROVED, user=user)


@transaction.atomic
def purchase_order_reject(*, order: PurchaseOrder, user, reason: str = "") -> PurchaseOrder:
    """Submitted → draft again (驳回), so the buyer can change it; the reason goes into the note."""
    order = lock(order)
    require_status(order, PO.SUBMITTED, action=_("be sent back"))
    if reason:
        order.note = f"{order.note}\n{_('Sent back')}: {reason}".strip()
        order.save(update_fields=["note"])
    return set_status(order, PO.DRAFT, user=user)


def _release_open(order: PurchaseOrder) -> None:
    deltas: dict[int, Decimal] = defaultdict(Decimal)
    for line in order.lines.all():
        deltas[line.product_id] -= line.open_qty
    _change_ordered(order.warehouse_id, deltas)


@transaction.atomic
def purchase_order_cancel(*, order: PurchaseOrder, user) -> PurchaseOrder:
    """Cancel an order nothing has been received against (an approved one stops counting as
    ordered). Once goods have come in, close it instead: 409 ``invalid_state``."""
    order = lock(order)
    require_status(order, PO.DRAFT, PO.SUBMITTED, PO.APPROVED, action=_("be cancelled"))
    if order.receipts.filter(status=POSTED).exists():
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("Goods have been received against %(number)s: close it instead of cancelling it.")
            % {"number": order.number},
        )
    if order.status == PO.APPROVED:
        _release_open(order)
    return set_status(order, PO.CANCELLED, user=user)


@transaction.atomic
def purchase_order_close(*, order: PurchaseOrder, user, reason: str = "") -> PurchaseOrder:
    """Close an approved or (partially) received order: what has not come will not come, so it
    no longer counts as ordered. Closing a closed order changes nothing."""
    order = lock(order)
    if order.status == PO.CLOSED:
        return order
    require_status(order, PO.APPROVED, PO.PARTIALLY_RECEIVED, PO.RECEIVED, action=_("be closed"))
    _release_open(order)
    order.closed_reason = reason[:200]
    order.save(update_fields=["closed_reason"])
    return set_status(order, PO.CLOSED, user=user)


def _receipt_status(order: PurchaseOrder) -> str:
    lines = list(order.lines.all())
    if all(line.received_qty >= line.qty for line in lines):
        return PO.RECEIVED
    if any(line.received_qty > 0 for line in lines):
        return PO.PARTIALLY_RECEIVED
    return PO.APPROVED


# --- Purchase receipts (采购入库) -----------------------------------------------------------


def receipt_tolerance() -> Decimal:
    return Decimal(settings.JXC_RECEIPT_TOLERANCE)


def _check_open_for_receipt(order: PurchaseOrder) -> None:
    if not order.is_open_for_receipt:
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("%(number)s is %(status)s: goods cannot be received against it.")
            % {"number": order.number, "status": order.get_status_display()},
        )


def _check_over_receipt(order_lines: dict[int, PurchaseOrderLine], receiving: dict[int, Decimal]) -> None:
    """409 ``over_receipt`` when receiving would take an order line past its quantity plus the
    tolerance (the figures in the message)."""
    tolerance = receipt_tolerance()
    for line_id, qty in receiving.items():
        line = order_lines[line_id]
        allowed = line.qty * (1 + tolerance) - line.received_qty
        if qty > allowed:
            raise BusinessError(
                BusinessError.OVER_RECEIPT,
                _(
                    "%(sku)s: %(qty)s would be received, but order line %(line)s of %(number)s has only "
                    "%(allowed)s left to receive (ordered %(ordered)s, received %(received)s)."
                )
                % {
                    "sku": line.product.sku,
                    "qty": format_quantity(qty),
                    "line": line.line_no,
                    "number": line.document.number,
                    "allowed": format_quantity(max(allowed, ZERO)),
                    "ordered": format_quantity(line.qty),
                    "received": format_quantity(line.received_qty),
                },
                product=line.product_id,
                ordered=str(line.qty),
                received=str(line.received_qty),
                requested=str(qty),
            )


def _receipt_lines(order: PurchaseOrder | None, lines: list[dict] | None) -> list[dict] | None:
    """Lines with their defaults: against an order, each line's price and rate come from its
    order line (an order given without lines receives all its open quantities); otherwise an
    empty cost is the product's purchase price. Lines must match their order lines."""
    if order is not None and not lines:
        return [
            {
                "product": line.product,
                "qty": line.open_qty,
                "unit_cost": line.unit_price,
                "tax_rate": line.tax_rate,
                "purchase_order_line": line,
            }
            for line in order.lines.select_related("product").order_by("line_no")
            if line.open_qty > 0
        ]
    lines = lines_against(
        order,
        lines,
        ref="purchase_order_line",
        copy={"unit_cost": "unit_price", "tax_rate": "tax_rate"},
    )
    for line in lines or []:
        product = line.get("product")
        if line.get("unit_cost") is None and isinstance(product, Product):
            line["unit_cost"] = product.purchase_price
        if line.get("tax_rate") is None:
            line.pop("tax_rate", None)
    return lines


def _check_receipt_header(order: PurchaseOrder | None, supplier: Supplier | None, warehouse: Warehouse | None) -> None:
    if order is not None:
        check_same_as(order, supplier=supplier, warehouse=warehouse)


def _receiving(lines) -> dict[int, Decimal]:
    """{order line id: qty} of receipt lines (saved lines or line dicts)."""
    return qty_by_source_line(lines, "purchase_order_line")


def _precheck_receipt(order: PurchaseOrder | None, lines: list[dict] | None) -> None:
    """Early refusals at drafting (the authoritative checks run again, under locks, at posting)."""
    if order is None:
        return
    _check_open_for_receipt(order)
    if lines:
        receiving = _receiving(line for line in lines if line.get("qty") is not None)
        order_lines = {line.pk: line for line in order.lines.select_related("product", "document")}
        _check_over_receipt(order_lines, {k: v for k, v in receiving.items() if k in order_lines})


@transaction.atomic
def purchase_receipt_create(
    *,
    user,
    supplier: Supplier | None = None,
    warehouse: Warehouse | None = None,
    purchase_order: PurchaseOrder | None = None,
    lines: list[dict] | None = None,
    date=None,
    note: str = "",
    supplier_reference: str = "",
) -> PurchaseReceipt:
    """A draft receipt (RCP-<year>-<n>) of {product, qty, unit_cost, tax_rate,
    purchase_order_line} lines.

    Against ``purchase_order``: supplier and warehouse are the order's; without lines, its open
    quantities are filled in; the order must be approved or partially received (409
    ``invalid_state``) and no line may take its order line past the ordered quantity plus the
    tolerance (409 ``over_receipt``). Refuses a warehouse the user does not operate (403).
    """
    if purchase_order is not None:
        _check_receipt_header(purchase_order, supplier, warehouse)
        supplier, warehouse = purchase_order.supplier, purchase_order.warehouse
    require_fields(supplier=supplier, warehouse=warehouse)
    check_warehouse_scope(user, warehouse)
    _check_supplier(supplier)
    lines = _receipt_lines(purchase_order, lines)
    _precheck_receipt(purchase_order, lines)
    header = _header(
        supplier=supplier,
        warehouse=warehouse,
        purchase_order=purchase_order,
        date=date,
        note=note,
        supplier_reference=supplier_reference,
    )
    receipt = document_create(model=PurchaseReceipt, user=user, lines=lines or [], **header)
    _price(receipt, "unit_cost")
    return receipt


@transaction.atomic
def purchase_receipt_update(
    *,
    receipt: PurchaseReceipt,
    user,
    supplier: Supplier | None = None,
    warehouse: Warehouse | None = None,
    date=None,
    note: str | None = None,
    supplier_reference: str | None = None,
    lines: list[dict] | None = None,
    **_ignored,
) -> PurchaseReceipt:
    """Change a draft receipt (its order stays; fields left None stay; ``lines`` given replace
    them). Refuses (403) unless the user operates the current and the new warehouse."""
    receipt = lock(receipt)
    check_warehouse_scope(user, receipt.warehouse, *([warehouse] if warehouse is not None else []))
    require_status(receipt, DRAFT, action=_("edit"))
    order = receipt.purchase_order
    _check_receipt_header(order, supplier, warehouse)
    _check_supplier(supplier)
    if lines is not None:
        lines = _receipt_lines(order, lines) if lines else lines
        _precheck_receipt(order, lines)
    header = _header(
        supplier=supplier, warehouse=warehouse, date=date, note=note, supplier_reference=supplier_reference
    )
    receipt = document_update(document=receipt, user=user, lines=lines, **header)
    _price(receipt, "unit_cost")
    return receipt


def _remember_prices(receipt: PurchaseReceipt, lines: list[PurchaseReceiptLine]) -> None:
    """The supplier's last price and date for each product received (the supplier's product
    row is created when it has none). A receipt dated before the last purchase (posted late)
    does not replace the later price. A few queries whatever the number of lines (one query or
    two per line took 13 of the 17 s a 2,000-line receipt needed to post): the supplier is
    locked first (as payables.payable_open does next), so receipts of one supplier write these
    rows one after the other."""
    prices = {line.product_id: line.unit_cost for line in lines}  # the last line of a product wins
    payables.lock_supplier(receipt.supplier_id)
    rows = SupplierProduct.objects.filter(supplier_id=receipt.supplier_id, product_id__in=list(prices))
    known = {row.product_id: row for row in rows.only("id", "product_id", "last_purchase_date")}
    stale = [row for row in known.values() if row.last_purchase_date is None or row.last_purchase_date <= receipt.date]
    for row in stale:
        row.last_price, row.last_purchase_date = prices[row.product_id], receipt.date
    bulk_update_fields(stale, ["last_price", "last_purchase_date"])
    missing = [product for product in prices if product not in known]
    if missing:
        SupplierProduct.objects.bulk_create(
            [
                SupplierProduct(
                    supplier_id=receipt.supplier_id,
                    product_id=product,
                    last_price=prices[product],
                    last_purchase_date=receipt.date,
                )
                for product in missing
            ],
            ignore_conflicts=True,  # a row added meanwhile (supplier products page) keeps its own
        )
        created = list(rows.filter(product_id__in=missing, last_purchase_date=receipt.date))
        SupplierProduct.history.bulk_history_create(created)


@transaction.atomic
def purchase_receipt_post(*, receipt: PurchaseReceipt, user) -> PurchaseReceipt:
    """Post a draft receipt: the lines come into stock at their unit cost; against an order,
    each order line's received quantity goes up and the warehouse's ordered quantity down (by
    at most what was open), and the order becomes partially received or received; a payable
    for the total (VAT included) is written, due after the supplier's payment terms.

    Locks the receipt, then its order and order lines (two receipts against one order post one
    after the other, so together they never exceed an order line), then the balances, then
    the supplier. Refuses 409 ``invalid_state`` (order no longer open), ``over_receipt``; 403
    outside the user's warehouses. Posting a posted receipt changes nothing."""
    receipt = lock(receipt)
    check_warehouse_scope(user, receipt.warehouse)
    if receipt.status == POSTED:
        return receipt
    require_status(receipt, DRAFT, action=_("be posted"))
    lines = list(receipt.lines.select_related("product", "purchase_order_line").order_by("line_no", "id"))
    order = receipt.purchase_order
    order_lines: dict[int, PurchaseOrderLine] = {}
    if order is not None:
        order = lock(order)
        _check_open_for_receipt(order)
        order_lines = {
            line.pk: line
            for line in PurchaseOrderLine.objects.select_for_update(of=("self",))
            .filter(document=order)
            .select_related("product", "document")
            .order_by("pk")
        }
        _check_over_receipt(order_lines, _receiving(lines))
    entries = ledger.post(
        source=_source(receipt, SOURCE_RECEIPT),
        movements=[
            ledger.Movement(
                product=line.product_id,
                warehouse=receipt.warehouse_id,
                qty=line.qty,
                unit_cost=line.unit_cost,
                line=line.pk,
            )
            for line in lines
        ],
        user=user,
        date=receipt.date,
    )
    if order is not None:
        deltas: dict[int, Decimal] = defaultdict(Decimal)
        for line_id, qty in _receiving(lines).items():
            order_line = order_lines[line_id]
            before = order_line.open_qty
            order_line.received_qty += qty
            deltas[order_line.product_id] += order_line.open_qty - before
        bulk_update_fields(list(order_lines.values()), ["received_qty"])
        _change_ordered(order.warehouse_id, deltas)
        set_status(order, _receipt_status(order), user=user)
    _remember_prices(receipt, lines)
    if receipt.total != 0:
        payables.payable_open(
            supplier_id=receipt.supplier_id,
            source=_ap_source(receipt, SOURCE_RECEIPT),
            date=receipt.date,
            due_date=receipt.date + timedelta(days=receipt.supplier.payment_terms_days),
            amount=receipt.total,
        )
    postings.purchase_receipt(receipt, entries, user=user, source_type=SOURCE_RECEIPT)
    return set_status(receipt, POSTED, user=user)


@transaction.atomic
def purchase_receipt_cancel(*, receipt: PurchaseReceipt, user) -> PurchaseReceipt:
    """Cancel: a draft just becomes cancelled. A posted receipt is reversed: its stock goes
    out at its own value (409 ``insufficient_stock`` if it has already left and negative stock
    is not allowed), its order lines get their quantities back (the order counts them as
    ordered again unless it is closed), and its payable is cancelled. Refused (409
    ``invalid_state``) while a posted return is against it or a payment is allocated to it."""
    receipt = lock(receipt)
    check_warehouse_scope(user, receipt.warehouse)
    require_status(receipt, DRAFT, POSTED, action=_("be cancelled"))
    if receipt.status == DRAFT:
        return set_status(receipt, CANCELLED, user=user)
    returns = list(receipt.returns.filter(status=POSTED).values_list("number", flat=True))
    if returns:
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("Goods of %(number)s were returned (%(returns)s): cancel the returns first.")
            % {"number": receipt.number, "returns": ", ".join(returns)},
        )
    order = receipt.purchase_order
    if order is not None:
        order = lock(order)
    ledger.reverse(source=_source(receipt, SOURCE_RECEIPT), user=user)
    if order is not None:
        order_lines = {
            line.pk: line
            for line in PurchaseOrderLine.objects.select_for_update(of=("self",)).filter(document=order).order_by("pk")
        }
        deltas: dict[int, Decimal] = defaultdict(Decimal)
        for line_id, qty in _receiving(receipt.lines.select_related("purchase_order_line")).items():
            order_line = order_lines[line_id]
            before = order_line.open_qty
            order_line.received_qty -= qty
            deltas[order_line.product_id] += order_line.open_qty - before
        bulk_update_fields(list(order_lines.values()), ["received_qty"])
        if order.status != PO.CLOSED:
            _change_ordered(order.warehouse_id, deltas)
            set_status(order, _receipt_status(order), user=user)
    payables.payable_cancel(source=_ap_source(receipt, SOURCE_RECEIPT))
    postings.reverse(receipt, user=user, source_type=SOURCE_RECEIPT)
    return set_status(receipt, CANCELLED, user=user)


# --- Purchase returns (采购退货) ------------------------------------------------------------


def _return_lines(receipt: PurchaseReceipt | None, lines: list[dict] | None) -> list[dict] | None:
    """Lines with their defaults: against a receipt, each line's cost and rate are its receipt
    line's (a return goes back at what it came in at)."""
    lines = lines_against(
        receipt,
        lines,
        ref="purchase_receipt_line",
        copy={"tax_rate": "tax_rate"},
        force={"unit_cost": "unit_cost"},
        required=True,
    )
    for line in lines or []:
        if line.get("tax_rate") is None:
            line.pop("tax_rate", None)
    return lines


def _check_over_return(receipt_lines: dict[int, PurchaseReceiptLine], returning: dict[int, Decimal]) -> None:
    for line_id, qty in returning.items():
        line = receipt_lines[line_id]
        left = line.qty - line.returned_qty
        if qty > left:
            raise BusinessError(
                BusinessError.OVER_RETURN,
                _(
                    "%(sku)s: %(qty)s would be returned, but line %(line)s of %(number)s has only %(left)s left "
                    "to return (received %(received)s, returned %(returned)s)."
                )
                % {
                    "sku": line.product.sku,
                    "qty": format_quantity(qty),
                    "line": line.line_no,
                    "number": line.document.number,
                    "left": format_quantity(left),
                    "received": format_quantity(line.qty),
                    "returned": format_quantity(line.returned_qty),
                },
                product=line.product_id,
                received=str(line.qty),
                returned=str(line.returned_qty),
                requested=str(qty),
            )


def _returning(lines) -> dict[int, Decimal]:
    return qty_by_source_line(lines, "purchase_receipt_line")


def _check_receipt_posted(receipt: PurchaseReceipt) -> None:
    if receipt.status != POSTED:
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("%(number)s is %(status)s: nothing can be returned against it.")
            % {"number": receipt.number, "status": receipt.get_status_display()},
        )


def _precheck_return(receipt: PurchaseReceipt | None, lines: list[dict] | None) -> None:
    if receipt is None:
        return
    _check_receipt_posted(receipt)
    if lines:
        receipt_lines = {line.pk: line for line in receipt.lines.select_related("product", "document")}
        returning = _returning(line for line in lines if line.get("qty") is not None)
        _check_over_return(receipt_lines, {k: v for k, v in returning.items() if k in receipt_lines})


@transaction.atomic
def purchase_return_create(
    *,
    user,
    supplier: Supplier | None = None,
    warehouse: Warehouse | None = None,
    purchase_receipt: PurchaseReceipt | None = None,
    lines: list[dict],
    date=None,
    note: str = "",
    reason: str = "",
) -> PurchaseReturn:
    """A draft return (PRT-<year>-<n>) of {product, qty, unit_cost, tax_rate,
    purchase_receipt_line} lines. Against ``purchase_receipt`` (posted, else 409
    ``invalid_state``): supplier, warehouse, costs and rates are the receipt's, and no line may
    return more than its receipt line received minus what was already returned (409
    ``over_return``). A free return's empty cost is the current cost at posting."""
    receipt = purchase_receipt
    if receipt is not None:
        check_same_as(receipt, supplier=supplier, warehouse=warehouse)
        supplier, warehouse = receipt.supplier, receipt.warehouse
    require_fields(supplier=supplier, warehouse=warehouse)
    check_warehouse_scope(user, warehouse)
    lines = _return_lines(receipt, lines)
    _precheck_return(receipt, lines)
    header = _header(
        supplier=supplier, warehouse=warehouse, purchase_receipt=receipt, date=date, note=note, reason=reason
    )
    document = document_create(model=PurchaseReturn, user=user, lines=lines, **header)
    _price(document, "unit_cost")
    return document


@transaction.atomic
def purchase_return_update(
    *,
    purchase_return: PurchaseReturn,
    user,
    supplier: Supplier | None = None,
    warehouse: Warehouse | None = None,
    date=None,
    note: str | None = None,
    reason: str | None = None,
    lines: list[dict] | None = None,
    **_ignored,
) -> PurchaseReturn:
    """Change a draft return (its receipt stays). Refuses (403) unless the user operates the
    current and the new warehouse; anything but a draft is 409 ``invalid_state``."""
    document = lock(purchase_return)
    check_warehouse_scope(user, document.warehouse, *([warehouse] if warehouse is not None else []))
    require_status(document, DRAFT, action=_("edit"))
    receipt = document.purchase_receipt
    if receipt is not None:
        check_same_as(receipt, supplier=supplier, warehouse=warehouse)
    lines = _return_lines(receipt, lines)
    if lines is not None:
        _precheck_return(receipt, lines)
    header = _header(supplier=supplier, warehouse=warehouse, date=date, note=note, reason=reason)
    document = document_update(document=document, user=user, lines=lines, **header)
    _price(document, "unit_cost")
    return document


@transaction.atomic
def purchase_return_post(*, purchase_return: PurchaseReturn, user) -> PurchaseReturn:
    """Post a draft return: the goods go out of stock (against a receipt at that receipt's
    cost, FIFO from its own layer first; otherwise at the current cost, which becomes the
    line's cost when it has none), the receipt lines' returned quantities go up, and a debit
    note for the total is written on the supplier's payables (settling the receipt's payable
    first, then the oldest ones).

    Locks the return, then its receipt and receipt lines, then the balances, then the supplier.
    Refuses 409 ``over_return``, ``insufficient_stock``, ``invalid_state``; 403 outside the
    user's warehouses. Posting a posted return changes nothing."""
    document = lock(purchase_return)
    check_warehouse_scope(user, document.warehouse)
    if document.status == POSTED:
        return document
    require_status(document, DRAFT, action=_("be posted"))
    lines = list(document.lines.select_related("product", "purchase_receipt_line").order_by("line_no", "id"))
    receipt = document.purchase_receipt
    receipt_lines: dict[int, PurchaseReceiptLine] = {}
    entries_of: dict[int, int] = {}
    if receipt is not None:
        receipt = lock(receipt)
        _check_receipt_posted(receipt)
        receipt_lines = {
            line.pk: line
            for line in PurchaseReceiptLine.objects.select_for_update(of=("self",))
            .filter(document=receipt)
            .select_related("product", "document")
            .order_by("pk")
        }
        _check_over_return(receipt_lines, _returning(lines))
        entries_of = dict(
            StockLedgerEntry.objects.filter(
                source_type=SOURCE_RECEIPT, source_id=receipt.pk, reversal_of__isnull=True
            ).values_list("source_line_id", "pk")
        )
    entries = ledger.post(
        source=_source(document, SOURCE_RETURN),
        movements=[
            ledger.Movement(
                product=line.product_id,
                warehouse=document.warehouse_id,
                qty=-line.qty,
                unit_cost=line.unit_cost if line.purchase_receipt_line_id else None,
                returns_entry=entries_of.get(line.purchase_receipt_line_id),
                line=line.pk,
            )
            for line in lines
        ],
        user=user,
        date=document.date,
    )
    for line, entry in zip(lines, entries, strict=True):
        line.stock_value = -entry.value
        if line.unit_cost is None:
            line.unit_cost = entry.unit_cost
    bulk_update_fields(lines, ["stock_value", "unit_cost"])
    _price(document, "unit_cost")
    if receipt_lines:
        for line_id, qty in _returning(lines).items():
            receipt_lines[line_id].returned_qty += qty
        bulk_update_fields(list(receipt_lines.values()), ["returned_qty"])
    if document.total != 0:
        payables.payable_open(
            supplier_id=document.supplier_id,
            source=_ap_source(document, SOURCE_RETURN),
            date=document.date,
            due_date=document.date,
            amount=-document.total,
            settles=_ap_source(receipt, SOURCE_RECEIPT) if receipt is not None else None,
        )
    postings.purchase_return(document, entries, user=user, source_type=SOURCE_RETURN)
    return set_status(document, POSTED, user=user)


@transaction.atomic
def purchase_return_cancel(*, purchase_return: PurchaseReturn, user) -> PurchaseReturn:
    """Cancel: a draft just becomes cancelled; a posted return is reversed (the goods come
    back at the value they left with, the receipt lines may be returned again, the debit note
    is cancelled so the payables it settled are owed again)."""
    document = lock(purchase_return)
    check_warehouse_scope(user, document.warehouse)
    require_status(document, DRAFT, POSTED, action=_("be cancelled"))
    if document.status == DRAFT:
        return set_status(document, CANCELLED, user=user)
    receipt = document.purchase_receipt
    if receipt is not None:
        lock(receipt)
    ledger.reverse(source=_source(document, SOURCE_RETURN), user=user)
    if receipt is not None:
        receipt_lines = {
            line.pk: line
            for line in PurchaseReceiptLine.objects.select_for_update(of=("self",)).filter(document=receipt)
        }
        for line_id, qty in _returning(document.lines.select_related("purchase_receipt_line")).items():
            receipt_lines[line_id].returned_qty -= qty
        bulk_update_fields(list(receipt_lines.values()), ["returned_qty"])
    payables.payable_cancel(source=_ap_source(document, SOURCE_RETURN))
    postings.reverse(document, user=user, source_type=SOURCE_RETURN)
    return set_status(document, CANCELLED, user=user)


# --- Purchase planning (采购计划) -----------------------------------------------------------


@transaction.atomic
def purchase_orders_from_plan(*, user, lines: list[dict], date=None) -> list[PurchaseOrder]:
    """Turn the buyer's edited suggestions ({product, warehouse, qty, supplier (optional),
    unit_price (optional)}) into draft purchase orders, one per supplier and warehouse. A line
    without a supplier goes to the product's preferred supplier; the price is the supplier's
    last price, else the product's purchase price. Lines with no quantity are skipped; a line
    whose product has no supplier is refused (400), and then nothing is created."""
    groups: dict[tuple[int, int], list[dict]] = defaultdict(list)
    suppliers: dict[int, Supplier] = {}
    warehouses: dict[int, Warehouse] = {}
    errors = []
    wanted = [line for line in lines if line.get("qty") is not None and line["qty"] > 0]
    if not wanted:
        raise ValidationError({"lines": [_("Give at least one line a quantity to order.")]})
    preferred = {
        row.product_id: row
        for row in SupplierProduct.objects.filter(
            product__in=[line["product"] for line in wanted], is_preferred=True
        ).select_related("supplier")
    }
    for number, line in enumerate(wanted, start=1):
        product: Product = line["product"]
        supplier = line.get("supplier") or (preferred[product.pk].supplier if product.pk in preferred else None)
        if supplier is None:
            errors.append(
                _("Line %(line)s: %(sku)s has no preferred supplier; choose one.")
                % {"line": number, "sku": product.sku}
            )
            continue
        suppliers[supplier.pk] = supplier
        warehouses[line["warehouse"].pk] = line["warehouse"]
        groups[(supplier.pk, line["warehouse"].pk)].append(line)
    _line_errors(errors)
    prices = {
        (row.supplier_id, row.product_id): row.last_price
        for row in SupplierProduct.objects.filter(supplier__in=suppliers, last_price__isnull=False)
    }
    orders = []
    for (supplier_id, warehouse_id), group in sorted(groups.items()):
        order_lines = [
            {
                "product": line["product"],
                "qty": line["qty"],
                "unit_price": line.get("unit_price")
                if line.get("unit_price") is not None
                else prices.get((supplier_id, line["product"].pk), line["product"].purchase_price),
                "tax_rate": line["product"].tax_rate,
            }
            for line in group
        ]
        orders.append(
            purchase_order_create(
                user=user,
                supplier=suppliers[supplier_id],
                warehouse=warehouses[warehouse_id],
                lines=order_lines,
                date=date,
                note=_("From the purchase plan"),
            )
        )
    return orders
