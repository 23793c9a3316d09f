"""Writes of sales: quotations, sales orders, deliveries, sales returns and exchanges. Each
service is one transaction.

Locks are taken in one order everywhere: the document acted on, then the document it is
against (delivery → its order, return → its delivery; an exchange's return before its
replacement delivery, whichever is acted on), then stock balances (``ledger.post`` /
``ledger.add_to_balances``), then the customer (credit check, ``apps.finance.receivables``).
Stock moves only through the ledger; receivables change only through
``apps.finance.receivables``. Acting twice (posting a posted delivery, confirming a confirmed
order) changes nothing the second time.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.selectors import check_warehouse_scope, reads_all_warehouses, sees_all_customers
from apps.core.bulk import bulk_update_fields
from apps.core.documents import (
    check_same_as,
    document_create,
    document_update,
    given_fields,
    lines_against,
    lock,
    qty_by_source_line,
    require_fields,
    require_status,
    set_status,
)
from apps.core.errors import BusinessError
from apps.core.fields import ZERO, line_amounts
from apps.core.formatting import format_quantity
from apps.customers.models import Customer
from apps.finance import postings, receivables
from apps.inventory import ledger
from apps.inventory.models import Product, Warehouse
from apps.inventory.priced import price_document

from .models import (
    OPEN_ORDER_STATUSES,
    Delivery,
    DeliveryLine,
    Quotation,
    QuotationStatus,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    SalesReturn,
    SalesReturnLine,
)
from .selectors import SOURCE_DELIVERY, SOURCE_RETURN

SO, QT = SalesOrderStatus, QuotationStatus
DRAFT, POSTED, CANCELLED = "draft", "posted", "cancelled"
OVERRIDE_CREDIT = "sales.override_credit_limit"


# --- shared checks ----------------------------------------------------------------------------


def _check_customer(user, customer: Customer | None) -> None:
    """An active customer the user may sell to (a salesperson: their own; else 403)."""
    if customer is None:
        return
    if not customer.is_active:
        raise ValidationError({"customer": [_("This customer is inactive.")]})
    if not sees_all_customers(user) and customer.salesperson_id != user.pk:
        raise PermissionDenied(_("%(customer)s is not one of your customers.") % {"customer": customer})


def _check_clerk_scope(user, *warehouses: Warehouse) -> None:
    """A warehouse clerk works only in their warehouses (403); customer service and management
    take returns back into any warehouse."""
    if not reads_all_warehouses(user):
        check_warehouse_scope(user, *warehouses)


def _source(document, source_type: str) -> ledger.Source:
    return ledger.Source(type=source_type, id=document.pk, number=document.number)


def _ar_source(document, source_type: str) -> receivables.Source:
    return receivables.Source(type=source_type, id=document.pk, number=document.number)


def _change_reserved(warehouse_id: int, deltas: dict[int, Decimal]) -> None:
    ledger.add_to_balances("reserved_qty", warehouse_id, deltas)


def _priced_lines(lines: list[dict] | None) -> list[dict] | None:
    """Lines with their defaults: the product's sale price and VAT rate when none is given."""
    if lines is None:
        return None
    result = []
    for line in lines:
        line = dict(line)
        product = line.get("product")
        if isinstance(product, Product):
            if line.get("unit_price") is None:
                line["unit_price"] = product.sale_price
            if line.get("tax_rate") is None:
                line["tax_rate"] = product.tax_rate
        if line.get("tax_rate") is None:
            line.pop("tax_rate", None)
        result.append(line)
    return result


def _over(code: str, message: str, line, qty: Decimal, left: Decimal, done: Decimal, **figures) -> BusinessError:
    return BusinessError(
        code,
        message
        % {
            "sku": line.product.sku,
            "qty": format_quantity(qty),
            "line": line.line_no,
            "number": line.document.number,
            "left": format_quantity(max(left, ZERO)),
            "total": format_quantity(line.qty),
            "done": format_quantity(done),
        },
        product=line.product_id,
        requested=str(qty),
        left=str(max(left, ZERO)),
        **figures,
    )


_sum_by = qty_by_source_line


# --- Quotations (报价单) ----------------------------------------------------------------------


@transaction.atomic
def quotation_create(
    *, user, customer: Customer, warehouse: Warehouse, lines: list[dict], date=None, valid_until=None, note: str = ""
) -> Quotation:
    """A draft quotation (QT-<year>-<n>) of {product, qty, unit_price, tax_rate} lines; empty
    prices and rates are the product's. Valid until ``valid_until`` (None: no end)."""
    _check_customer(user, customer)
    header = given_fields(customer=customer, warehouse=warehouse, date=date, valid_until=valid_until, note=note)
    quotation = document_create(model=Quotation, user=user, lines=_priced_lines(lines), **header)
    price_document(quotation, "unit_price")
    return quotation


@transaction.atomic
def quotation_update(
    *,
    quotation: Quotation,
    user,
    customer: Customer | None = None,
    warehouse: Warehouse | None = None,
    date=None,
    valid_until=None,
    note: str | None = None,
    lines: list[dict] | None = None,
) -> Quotation:
    """Change a draft quotation. Anything but a draft is 409 ``invalid_state``."""
    quotation = lock(quotation)
    require_status(quotation, QT.DRAFT, action=_("edit"))
    _check_customer(user, customer)
    header = given_fields(customer=customer, warehouse=warehouse, date=date, valid_until=valid_until, note=note)
    quotation = document_update(document=quotation, user=user, lines=_priced_lines(lines), **header)
    price_document(quotation, "unit_price")
    return quotation


@transaction.atomic
def quotation_send(*, quotation: Quotation, user) -> Quotation:
    """Draft → sent (given to the customer; no longer edited)."""
    quotation = lock(quotation)
    if quotation.status == QT.SENT:
        return quotation
    require_status(quotation, QT.DRAFT, action=_("be sent"))
    return set_status(quotation, QT.SENT, user=user)


@transaction.atomic
def quotation_cancel(*, quotation: Quotation, user) -> Quotation:
    quotation = lock(quotation)
    require_status(quotation, QT.DRAFT, QT.SENT, action=_("be cancelled"))
    return set_status(quotation, QT.CANCELLED, user=user)


@transaction.atomic
def quotation_convert(*, quotation: Quotation, user, date=None) -> SalesOrder:
    """Turn a draft or sent quotation into a draft sales order with the same customer,
    warehouse, lines and prices (one step); the quotation becomes converted. Refused with 409
    ``invalid_state`` once it has expired, been converted or cancelled."""
    quotation = lock(quotation)
    require_status(quotation, QT.DRAFT, QT.SENT, action=_("be converted into an order"))
    if quotation.is_expired:
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("%(number)s expired on %(date)s: make a new quotation.")
            % {"number": quotation.number, "date": quotation.valid_until},
        )
    lines = [
        {"product": line.product, "qty": line.qty, "unit_price": line.unit_price, "tax_rate": line.tax_rate}
        for line in quotation.lines.select_related("product").order_by("line_no", "id")
    ]
    order = sales_order_create(
        user=user,
        customer=quotation.customer,
        warehouse=quotation.warehouse,
        lines=lines,
        date=date,
        note=quotation.note,
        quotation=quotation,
    )
    set_status(quotation, QT.CONVERTED, user=user)
    return order


# --- Sales orders (销售订单) -----------------------------------------------------------------


@transaction.atomic
def sales_order_create(
    *,
    user,
    customer: Customer,
    warehouse: Warehouse,
    lines: list[dict],
    date=None,
    delivery_date=None,
    note: str = "",
    customer_reference: str = "",
    quotation: Quotation | None = None,
) -> SalesOrder:
    """A draft sales order (SO-<year>-<n>) of {product, qty, unit_price, tax_rate} lines; empty
    prices and rates are the product's. Refuses an inactive customer and bad lines (400), and
    another salesperson's customer (403)."""
    _check_customer(user, customer)
    header = given_fields(
        customer=customer,
        warehouse=warehouse,
        date=date,
        delivery_date=delivery_date,
        note=note,
        customer_reference=customer_reference,
        quotation=quotation,
    )
    order = document_create(model=SalesOrder, user=user, lines=_priced_lines(lines), **header)
    price_document(order, "unit_price")
    return order


@transaction.atomic
def sales_order_update(
    *,
    order: SalesOrder,
    user,
    customer: Customer | None = None,
    warehouse: Warehouse | None = None,
    date=None,
    delivery_date=None,
    note: str | None = None,
    customer_reference: str | None = None,
    lines: list[dict] | None = None,
) -> SalesOrder:
    """Change a draft order (fields left None stay; ``lines`` given replace them). Anything but
    a draft is 409 ``invalid_state``."""
    order = lock(order)
    require_status(order, SO.DRAFT, action=_("edit"))
    _check_customer(user, order.customer)
    _check_customer(user, customer)
    header = given_fields(
        customer=customer,
        warehouse=warehouse,
        date=date,
        delivery_date=delivery_date,
        note=note,
        customer_reference=customer_reference,
    )
    order = document_update(document=order, user=user, lines=_priced_lines(lines), **header)
    price_document(order, "unit_price")
    return order


def open_orders_amount(customer_id: int, *, exclude: int | None = None) -> Decimal:
    """What the customer's confirmed, not yet delivered order lines come to, VAT included:
    each line's open quantity priced and rounded as a document line is (``line_amounts``), so
    a fully open order counts exactly its total."""
    lines = SalesOrderLine.objects.filter(
        document__customer_id=customer_id, document__status__in=OPEN_ORDER_STATUSES, qty__gt=F("delivered_qty")
    )
    if exclude is not None:
        lines = lines.exclude(document_id=exclude)
    total = ZERO
    for qty, delivered, price, rate in lines.values_list("qty", "delivered_qty", "unit_price", "tax_rate"):
        net, tax = line_amounts(qty - delivered, price, rate)
        total += net + tax
    return total


def credit_position(customer: Customer, *, order: SalesOrder | None = None) -> dict[str, Decimal | None]:
    """The figures of the credit check: the limit, open receivables (net of credit notes),
    confirmed undelivered orders, this order, their sum (exposure) and what is left."""
    owed = receivables.customer_balance(customer.pk)
    open_orders = open_orders_amount(customer.pk, exclude=order.pk if order is not None else None)
    this = order.total if order is not None else ZERO
    exposure = owed + open_orders + this
    limit = customer.credit_limit
    return {
        "credit_limit": limit,
        "receivables": owed,
        "open_orders": open_orders,
        "order_total": this,
        "exposure": exposure,
        "available": None if limit is None else limit - owed - open_orders,
    }


def _check_credit(order: SalesOrder, user, override_reason: str) -> None:
    """Lock the customer (two confirmations for one customer's remaining credit run one after
    the other) and refuse with 409 ``credit_limit_exceeded`` when open receivables + confirmed
    undelivered orders + this order are above the limit, unless the user may override it and
    gives a reason (recorded on the order)."""
    customer = receivables.lock_customer(order.customer_id)
    if customer.credit_limit is None:
        return
    figures = credit_position(customer, order=order)
    if figures["exposure"] <= customer.credit_limit:
        return
    may_override = user.has_perm(OVERRIDE_CREDIT)
    if override_reason.strip():
        if not may_override:
            raise PermissionDenied(_("You may not override a customer's credit limit."))
        order.credit_override_reason = override_reason.strip()[:200]
        order.credit_override_by = user
        order.save(update_fields=["credit_override_reason", "credit_override_by"])
        return
    raise BusinessError(
        BusinessError.CREDIT_LIMIT_EXCEEDED,
        _(
            "%(customer)s would owe %(exposure)s, above the credit limit of %(limit)s: open receivables "
            "%(owed)s + confirmed undelivered orders %(orders)s + this order %(total)s."
        )
        % {
            "customer": customer.name,
            "exposure": figures["exposure"],
            "limit": customer.credit_limit,
            "owed": figures["receivables"],
            "orders": figures["open_orders"],
            "total": figures["order_total"],
        },
        can_override=may_override,
        **{name: str(value) for name, value in figures.items()},
    )


@transaction.atomic
def sales_order_confirm(*, order: SalesOrder, user, override_reason: str = "") -> SalesOrder:
    """Draft → confirmed: the credit check passes (or is overridden with a reason by a user
    with the override permission) and each line's quantity is reserved in the warehouse.

    Locks the order, then the balances, then the customer. Refuses 409 ``invalid_state`` (not
    a draft, no lines), ``credit_limit_exceeded`` (with the figures); 403 for another
    salesperson's customer or an override without the permission. Confirming a confirmed order
    changes nothing."""
    order = lock(order)
    if order.status == SO.CONFIRMED:
        return order
    require_status(order, SO.DRAFT, action=_("be confirmed"))
    _check_customer(user, order.customer)
    lines = list(order.lines.all())
    if not lines:
        raise BusinessError(
            BusinessError.INVALID_STATE, _("%(number)s has no lines to confirm.") % {"number": order.number}
        )
    deltas: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        deltas[line.product_id] += line.open_qty
    _change_reserved(order.warehouse_id, deltas)
    _check_credit(order, user, override_reason)
    order.confirmed_by = user
    order.confirmed_at = timezone.now()
    order.save(update_fields=["confirmed_by", "confirmed_at"])
    return set_status(order, SO.CONFIRMED, user=user)


def _release_open(order: SalesOrder) -> None:
    deltas: dict[int, Decimal] = defaultdict(Decimal)
    for line in order.lines.all():
        deltas[line.product_id] -= line.open_qty
    _change_reserved(order.warehouse_id, deltas)


@transaction.atomic
def sales_order_cancel(*, order: SalesOrder, user) -> SalesOrder:
    """Cancel an order nothing has been delivered against (a confirmed one releases its
    reservation). Once goods have gone, close it instead: 409 ``invalid_state``."""
    order = lock(order)
    require_status(order, SO.DRAFT, SO.CONFIRMED, action=_("be cancelled"))
    if order.deliveries.filter(status=POSTED).exists():
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("Goods have been delivered against %(number)s: close it instead of cancelling it.")
            % {"number": order.number},
        )
    if order.status == SO.CONFIRMED:
        _release_open(order)
    return set_status(order, SO.CANCELLED, user=user)


@transaction.atomic
def sales_order_close(*, order: SalesOrder, user, reason: str = "") -> SalesOrder:
    """Close a confirmed or (partially) delivered order: what has not gone will not go, so its
    reservation is released. Closing a closed order changes nothing."""
    order = lock(order)
    if order.status == SO.CLOSED:
        return order
    require_status(order, SO.CONFIRMED, SO.PARTIALLY_DELIVERED, SO.DELIVERED, action=_("be closed"))
    _release_open(order)
    order.closed_reason = reason[:200]
    order.save(update_fields=["closed_reason"])
    return set_status(order, SO.CLOSED, user=user)


def _delivery_status(order: SalesOrder) -> str:
    lines = list(order.lines.all())
    if all(line.delivered_qty >= line.qty for line in lines):
        return SO.DELIVERED
    if any(line.delivered_qty > 0 for line in lines):
        return SO.PARTIALLY_DELIVERED
    return SO.CONFIRMED


# --- Deliveries (销售出库) -------------------------------------------------------------------


def _check_open_for_delivery(order: SalesOrder) -> None:
    if not order.is_open_for_delivery:
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("%(number)s is %(status)s: nothing can be delivered against it.")
            % {"number": order.number, "status": order.get_status_display()},
        )


def _check_over_delivery(order_lines: dict[int, SalesOrderLine], delivering: dict[int, Decimal]) -> None:
    """409 ``over_delivery`` when a delivery would take an order line past its quantity."""
    for line_id, qty in delivering.items():
        line = order_lines[line_id]
        left = line.qty - line.delivered_qty
        if qty > left:
            raise _over(
                BusinessError.OVER_DELIVERY,
                _(
                    "%(sku)s: %(qty)s would be delivered, but order line %(line)s of %(number)s has only "
                    "%(left)s left to deliver (ordered %(total)s, delivered %(done)s)."
                ),
                line,
                qty,
                left,
                line.delivered_qty,
                ordered=str(line.qty),
                delivered=str(line.delivered_qty),
            )


def _delivery_lines(order: SalesOrder | None, lines: list[dict] | None) -> list[dict] | None:
    """Lines with their defaults: against an order, each line's price and rate are its order
    line's (an order given without lines delivers all its open quantities); otherwise the
    product's sale price. Lines must match their order lines."""
    if order is not None and not lines:
        return [
            {
                "product": line.product,
                "qty": line.open_qty,
                "unit_price": line.unit_price,
                "tax_rate": line.tax_rate,
                "sales_order_line": line,
            }
            for line in order.lines.select_related("product").order_by("line_no")
            if line.open_qty > 0
        ]
    return _lines_against(order, lines, ref="sales_order_line", required=False)


def _lines_against(source, lines: list[dict] | None, *, ref: str, required: bool) -> list[dict] | None:
    """Lines checked against their ``ref`` line on ``source``; price and rate default to it."""
    lines = lines_against(
        source, lines, ref=ref, copy={"unit_price": "unit_price", "tax_rate": "tax_rate"}, required=required
    )
    return _priced_lines(lines)


def _precheck_delivery(order: SalesOrder | None, lines: list[dict] | None) -> None:
    """Early refusals at drafting (the authoritative checks run again, under locks, at posting)."""
    if order is None:
        return
    _check_open_for_delivery(order)
    if lines:
        order_lines = {line.pk: line for line in order.lines.select_related("product", "document")}
        delivering = _sum_by(lines, "sales_order_line")
        _check_over_delivery(order_lines, {k: v for k, v in delivering.items() if k in order_lines})


@transaction.atomic
def delivery_create(
    *,
    user,
    customer: Customer | None = None,
    warehouse: Warehouse | None = None,
    sales_order: SalesOrder | None = None,
    lines: list[dict] | None = None,
    date=None,
    note: str = "",
    shipping_address: str = "",
) -> Delivery:
    """A draft delivery (DN-<year>-<n>) of {product, qty, unit_price, tax_rate,
    sales_order_line} lines.

    Against ``sales_order``: customer and warehouse are the order's; without lines, its open
    quantities are filled in; the order must be confirmed or partially delivered (409
    ``invalid_state``) and no line may take its order line past the ordered quantity (409
    ``over_delivery``). Refuses a warehouse the user does not operate (403)."""
    if sales_order is not None:
        check_same_as(sales_order, customer=customer, warehouse=warehouse)
        customer, warehouse = sales_order.customer, sales_order.warehouse
        shipping_address = shipping_address or sales_order.customer.address
    require_fields(customer=customer, warehouse=warehouse)
    check_warehouse_scope(user, warehouse)
    if not customer.is_active:
        raise ValidationError({"customer": [_("This customer is inactive.")]})
    lines = _delivery_lines(sales_order, lines)
    _precheck_delivery(sales_order, lines)
    header = given_fields(
        customer=customer,
        warehouse=warehouse,
        sales_order=sales_order,
        date=date,
        note=note,
        shipping_address=shipping_address,
    )
    delivery = document_create(model=Delivery, user=user, lines=lines or [], **header)
    price_document(delivery, "unit_price")
    return delivery


@transaction.atomic
def delivery_update(
    *,
    delivery: Delivery,
    user,
    customer: Customer | None = None,
    warehouse: Warehouse | None = None,
    date=None,
    note: str | None = None,
    shipping_address: str | None = None,
    lines: list[dict] | None = None,
    **_ignored,
) -> Delivery:
    """Change a draft delivery (its order stays). Refuses (403) unless the user operates the
    current and the new warehouse; anything but a draft is 409 ``invalid_state``."""
    delivery = lock(delivery)
    check_warehouse_scope(user, delivery.warehouse, *([warehouse] if warehouse is not None else []))
    require_status(delivery, DRAFT, action=_("edit"))
    order = delivery.sales_order
    if order is not None:
        check_same_as(order, customer=customer, warehouse=warehouse)
    if lines is not None:
        lines = _delivery_lines(order, lines) if lines else lines
        _precheck_delivery(order, lines)
    header = given_fields(
        customer=customer, warehouse=warehouse, date=date, note=note, shipping_address=shipping_address
    )
    delivery = document_update(document=delivery, user=user, lines=lines, **header)
    price_document(delivery, "unit_price")
    return delivery


def _lock_delivery(delivery: Delivery) -> Delivery:
    """Lock a delivery to post or cancel it; an exchange's replacement after its return, in
    the order the return's cancellation takes them (else the two deadlock: PostgreSQL checks
    the replacement's key to its return at commit)."""
    if delivery.replaces_id is not None:
        SalesReturn.objects.select_for_update().only("pk").get(pk=delivery.replaces_id)
    return lock(delivery)


def _lock_lines(model, document) -> dict:
    return {
        line.pk: line
        for line in model.objects.select_for_update(of=("self",))
        .filter(document=document)
        .select_related("product", "document")
        .order_by("pk")
    }


def _deliver_on_order(order: SalesOrder, order_lines: dict[int, SalesOrderLine], delivered: dict, *, user) -> None:
    """Add ``delivered`` ({order line id: qty}, negative when undone) to the order lines; the
    reservation follows each line's open quantity unless the order is closed; the order's
    status follows its lines."""
    deltas: dict[int, Decimal] = defaultdict(Decimal)
    for line_id, qty in delivered.items():
        order_line = order_lines[line_id]
        before = order_line.open_qty
        order_line.delivered_qty += qty
        deltas[order_line.product_id] += order_line.open_qty - before
    bulk_update_fields(list(order_lines.values()), ["delivered_qty"])
    if order.status != SO.CLOSED:
        _change_reserved(order.warehouse_id, deltas)
        set_status(order, _delivery_status(order), user=user)


@transaction.atomic
def delivery_post(*, delivery: Delivery, user) -> Delivery:
    """Post a draft delivery: the goods leave stock at the current cost (each line keeps its
    unit cost and cost for gross profit); against an order, each order line's delivered
    quantity goes up, the reservation goes down by as much, and the order becomes partially
    delivered or delivered; a receivable for the total (VAT included) is written, due after the
    customer's payment terms.

    Locks the delivery (an exchange's replacement: its return first), then its order and order
    lines (two deliveries against one order post one after the other), then the balances, then
    the customer. Refuses 409 ``insufficient_stock`` (naming product, warehouse, on hand and
    requested), ``over_delivery``, ``invalid_state``; 403 outside the user's warehouses.
    Posting a posted delivery changes nothing."""
    delivery = _lock_delivery(delivery)
    check_warehouse_scope(user, delivery.warehouse)
    if delivery.status == POSTED:
        return delivery
    require_status(delivery, DRAFT, action=_("be posted"))
    lines = list(delivery.lines.select_related("product", "sales_order_line").order_by("line_no", "id"))
    order = delivery.sales_order
    order_lines: dict[int, SalesOrderLine] = {}
    if order is not None:
        order = lock(order)
        _check_open_for_delivery(order)
        order_lines = _lock_lines(SalesOrderLine, order)
        _check_over_delivery(order_lines, _sum_by(lines, "sales_order_line"))
    entries = ledger.post(
        source=_source(delivery, SOURCE_DELIVERY),
        movements=[
            ledger.Movement(product=line.product_id, warehouse=delivery.warehouse_id, qty=-line.qty, line=line.pk)
            for line in lines
        ],
        user=user,
        date=delivery.date,
    )
    for line, entry in zip(lines, entries, strict=True):
        line.unit_cost, line.cost_amount = entry.unit_cost, -entry.value
    bulk_update_fields(lines, ["unit_cost", "cost_amount"])
    delivery.total_cost = sum((line.cost_amount for line in lines), ZERO)
    delivery.save(update_fields=["total_cost"])
    if order is not None:
        _deliver_on_order(order, order_lines, _sum_by(lines, "sales_order_line"), user=user)
    if delivery.total != 0:
        receivables.receivable_open(
            customer_id=delivery.customer_id,
            source=_ar_source(delivery, SOURCE_DELIVERY),
            date=delivery.date,
            due_date=delivery.date + timedelta(days=delivery.customer.payment_terms_days),
            amount=delivery.total,
        )
    postings.delivery(delivery, entries, user=user, source_type=SOURCE_DELIVERY)
    return set_status(delivery, POSTED, user=user)


@transaction.atomic
def delivery_cancel(*, delivery: Delivery, user) -> Delivery:
    """Cancel: a draft just becomes cancelled. A posted delivery is reversed: its goods come
    back at the value they left with, its order lines are open (and reserved) again unless the
    order is closed, and its receivable is cancelled. Refused (409 ``invalid_state``) while a
    posted return is against it or a customer receipt is allocated to it."""
    delivery = _lock_delivery(delivery)
    check_warehouse_scope(user, delivery.warehouse)
    require_status(delivery, DRAFT, POSTED, action=_("be cancelled"))
    if delivery.status == DRAFT:
        return set_status(delivery, CANCELLED, user=user)
    returns = list(delivery.returns.filter(status=POSTED).values_list("number", flat=True))
    if returns:
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("Goods of %(number)s were returned (%(returns)s): cancel the returns first.")
            % {"number": delivery.number, "returns": ", ".join(returns)},
        )
    order = delivery.sales_order
    if order is not None:
        order = lock(order)
    ledger.reverse(source=_source(delivery, SOURCE_DELIVERY), user=user)
    if order is not None:
        undone = {
            k: -v for k, v in _sum_by(delivery.lines.select_related("sales_order_line"), "sales_order_line").items()
        }
        _deliver_on_order(order, _lock_lines(SalesOrderLine, order), undone, user=user)
    receivables.receivable_cancel(source=_ar_source(delivery, SOURCE_DELIVERY))
    postings.reverse(delivery, user=user, source_type=SOURCE_DELIVERY)
    return set_status(delivery, CANCELLED, user=user)


# --- Sales returns and exchanges (销售退货 / 换货) ---------------------------------------------


def _check_delivery_posted(delivery: Delivery) -> None:
    if delivery.status != POSTED:
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("%(number)s is %(status)s: nothing can be returned against it.")
            % {"number": delivery.number, "status": delivery.get_status_display()},
        )


def _check_over_return(delivery_lines: dict[int, DeliveryLine], returning: dict[int, Decimal]) -> None:
    for line_id, qty in returning.items():
        line = delivery_lines[line_id]
        left = line.qty - line.returned_qty
        if qty > left:
            raise _over(
                BusinessError.OVER_RETURN,
                _(
                    "%(sku)s: %(qty)s would be returned, but line %(line)s of %(number)s has only %(left)s left "
                    "to return (delivered %(total)s, returned %(done)s)."
                ),
                line,
                qty,
                left,
                line.returned_qty,
                delivered=str(line.qty),
                returned=str(line.returned_qty),
            )


def _precheck_return(delivery: Delivery | None, lines: list[dict] | None) -> None:
    if delivery is None:
        return
    _check_delivery_posted(delivery)
    if lines:
        delivery_lines = {line.pk: line for line in delivery.lines.select_related("product", "document")}
        returning = _sum_by(lines, "delivery_line")
        _check_over_return(delivery_lines, {k: v for k, v in returning.items() if k in delivery_lines})


def _return_lines(delivery: Delivery | None, lines: list[dict] | None) -> list[dict] | None:
    return _lines_against(delivery, lines, ref="delivery_line", required=True)


@transaction.atomic
def sales_return_create(
    *,
    user,
    customer: Customer | None = None,
    warehouse: Warehouse | None = None,
    delivery: Delivery | None = None,
    lines: list[dict],
    date=None,
    note: str = "",
    reason: str | None = None,
    reason_note: str = "",
    is_exchange: bool = False,
) -> SalesReturn:
    """A draft return (SR-<year>-<n>) of {product, qty, unit_price, tax_rate, delivery_line}
    lines. Against ``delivery`` (posted, else 409 ``invalid_state``): customer, warehouse,
    prices and rates are the delivery's, every line names its delivery line, and none may
    return more than delivered minus already returned (409 ``over_return``). ``is_exchange``:
    posting also creates a draft replacement delivery of the same goods."""
    if delivery is not None:
        check_same_as(delivery, customer=customer, warehouse=warehouse)
        customer, warehouse = delivery.customer, delivery.warehouse
    require_fields(customer=customer, warehouse=warehouse)
    _check_clerk_scope(user, warehouse)
    if not sees_all_customers(user) and customer.salesperson_id != user.pk:
        raise PermissionDenied(_("%(customer)s is not one of your customers.") % {"customer": customer})
    lines = _return_lines(delivery, lines)
    _precheck_return(delivery, lines)
    header = given_fields(
        customer=customer,
        warehouse=warehouse,
        delivery=delivery,
        date=date,
        note=note,
        reason=reason,
        reason_note=reason_note,
        is_exchange=is_exchange,
    )
    document = document_create(model=SalesReturn, user=user, lines=lines, **header)
    price_document(document, "unit_price")
    return document


@transaction.atomic
def sales_return_update(
    *,
    sales_return: SalesReturn,
    user,
    customer: Customer | None = None,
    warehouse: Warehouse | None = None,
    date=None,
    note: str | None = None,
    reason: str | None = None,
    reason_note: str | None = None,
    is_exchange: bool | None = None,
    lines: list[dict] | None = None,
    **_ignored,
) -> SalesReturn:
    """Change a draft return (its delivery stays). Anything but a draft is 409 ``invalid_state``."""
    document = lock(sales_return)
    _check_clerk_scope(user, document.warehouse, *([warehouse] if warehouse is not None else []))
    require_status(document, DRAFT, action=_("edit"))
    delivery = document.delivery
    if delivery is not None:
        check_same_as(delivery, customer=customer, warehouse=warehouse)
    lines = _return_lines(delivery, lines)
    if lines is not None:
        _precheck_return(delivery, lines)
    header = given_fields(
        customer=customer,
        warehouse=warehouse,
        date=date,
        note=note,
        reason=reason,
        reason_note=reason_note,
        is_exchange=is_exchange,
    )
    document = document_update(document=document, user=user, lines=lines, **header)
    price_document(document, "unit_price")
    return document


def _replacement(document: SalesReturn, lines: list[SalesReturnLine], *, user) -> Delivery:
    """The draft delivery of an exchange: the same goods at the same prices, for the warehouse
    to ship (its receivable then offsets the return's credit note)."""
    delivery = document_create(
        model=Delivery,
        user=user,
        lines=[
            {"product": line.product, "qty": line.qty, "unit_price": line.unit_price, "tax_rate": line.tax_rate}
            for line in lines
        ],
        customer=document.customer,
        warehouse=document.warehouse,
        date=document.date,
        shipping_address=document.customer.address,
        note=_("Exchange for %(number)s") % {"number": document.number},
    )
    Delivery.objects.filter(pk=delivery.pk).update(replaces=document)
    delivery.replaces = document
    price_document(delivery, "unit_price")
    return delivery


@transaction.atomic
def sales_return_post(*, sales_return: SalesReturn, user) -> SalesReturn:
    """Post a draft return: the goods come back into stock (against a delivery at each
    delivery line's cost, otherwise at the current cost), the delivery lines' returned
    quantities go up, and a credit note for the total is written on the customer's receivables
    (settling the delivery's receivable first, then the oldest ones). An exchange also gets
    its draft replacement delivery.

    Locks the return, then its delivery and delivery lines, then the balances, then the
    customer. Refuses 409 ``over_return``, ``invalid_state``; 403 outside a clerk's warehouses.
    Posting a posted return changes nothing."""
    document = lock(sales_return)
    _check_clerk_scope(user, document.warehouse)
    if document.status == POSTED:
        return document
    require_status(document, DRAFT, action=_("be posted"))
    lines = list(document.lines.select_related("product", "delivery_line").order_by("line_no", "id"))
    delivery = document.delivery
    delivery_lines: dict[int, DeliveryLine] = {}
    if delivery is not None:
        delivery = lock(delivery)
        _check_delivery_posted(delivery)
        delivery_lines = _lock_lines(DeliveryLine, delivery)
        _check_over_return(delivery_lines, _sum_by(lines, "delivery_line"))
    entries = ledger.post(
        source=_source(document, SOURCE_RETURN),
        movements=[
            ledger.Movement(
                product=line.product_id,
                warehouse=document.warehouse_id,
                qty=line.qty,
                unit_cost=delivery_lines[line.delivery_line_id].unit_cost if line.delivery_line_id else None,
                line=line.pk,
            )
            for line in lines
        ],
        user=user,
        date=document.date,
    )
    for line, entry in zip(lines, entries, strict=True):
        line.unit_cost, line.cost_amount = entry.unit_cost, entry.value
    bulk_update_fields(lines, ["unit_cost", "cost_amount"])
    document.total_cost = sum((line.cost_amount for line in lines), ZERO)
    document.save(update_fields=["total_cost"])
    if delivery_lines:
        for line_id, qty in _sum_by(lines, "delivery_line").items():
            delivery_lines[line_id].returned_qty += qty
        bulk_update_fields(list(delivery_lines.values()), ["returned_qty"])
    if document.total != 0:
        receivables.receivable_open(
            customer_id=document.customer_id,
            source=_ar_source(document, SOURCE_RETURN),
            date=document.date,
            due_date=document.date,
            amount=-document.total,
            settles=_ar_source(delivery, SOURCE_DELIVERY) if delivery is not None else None,
        )
    postings.sales_return(document, entries, user=user, source_type=SOURCE_RETURN)
    if document.is_exchange and not document.replacements.exclude(status=CANCELLED).exists():
        _replacement(document, lines, user=user)
    return set_status(document, POSTED, user=user)


@transaction.atomic
def sales_return_cancel(*, sales_return: SalesReturn, user) -> SalesReturn:
    """Cancel: a draft just becomes cancelled; a posted return is reversed (the goods leave
    again at the value they came back with, the delivery lines may be returned again, the
    credit note is cancelled so what it settled is owed again, and an exchange's draft
    replacement is cancelled). Refused (409 ``invalid_state``) once the replacement has been
    delivered, or when the goods have left again."""
    document = lock(sales_return)
    _check_clerk_scope(user, document.warehouse)
    require_status(document, DRAFT, POSTED, action=_("be cancelled"))
    if document.status == DRAFT:
        return set_status(document, CANCELLED, user=user)
    replacements = [lock(r) for r in document.replacements.exclude(status=CANCELLED).order_by("pk")]
    shipped = [replacement.number for replacement in replacements if replacement.status == POSTED]
    if shipped:
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("The replacement %(numbers)s has been delivered: cancel it first.") % {"numbers": ", ".join(shipped)},
        )
    for replacement in replacements:
        set_status(replacement, CANCELLED, user=user)
    delivery = document.delivery
    if delivery is not None:
        lock(delivery)
    ledger.reverse(source=_source(document, SOURCE_RETURN), user=user)
    if delivery is not None:
        delivery_lines = _lock_lines(DeliveryLine, delivery)
        for line_id, qty in _sum_by(document.lines.select_related("delivery_line"), "delivery_line").items():
            delivery_lines[line_id].returned_qty -= qty
        bulk_update_fields(list(delivery_lines.values()), ["returned_qty"])
    receivables.receivable_cancel(source=_ar_source(document, SOURCE_RETURN))
    postings.reverse(document, user=user, source_type=SOURCE_RETURN)
    return set_status(document, CANCELLED, user=user)
