"""Invariants owned by sales: reserved quantities (registered into ``check_stock``) and the
receivables its documents write."""

from __future__ import annotations

from apps.inventory.selectors import Violations, check_open_order_lines

from .models import OPEN_ORDER_STATUSES, Delivery, SalesOrder, SalesOrderLine, SalesReturn
from .selectors import SOURCE_DELIVERY, SOURCE_RETURN


def check_reserved_matches_orders(limit: int | None = None) -> Violations:
    """Each balance's reserved quantity equals the open quantities (ordered − delivered) of the
    confirmed, not yet closed sales order lines for it."""
    return check_open_order_lines(
        "reserved",
        balance_field="reserved_qty",
        order_model=SalesOrder,
        line_model=SalesOrderLine,
        done_field="delivered_qty",
        statuses=OPEN_ORDER_STATUSES,
        limit=limit,
    )


def check_documents_match_receivables() -> list[str]:
    """Each posted delivery (return) with a total has one receivable (credit note) of exactly
    its total (minus it); each cancelled one's item is cancelled."""
    from apps.finance.checks import check_documents_match_items
    from apps.finance.models import Receivable

    return check_documents_match_items(Receivable, [(Delivery, SOURCE_DELIVERY, 1), (SalesReturn, SOURCE_RETURN, -1)])
