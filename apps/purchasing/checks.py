"""Stock invariants owned by purchasing, run by ``manage.py check_stock`` with the ledger's own
(registered in apps.py into apps.inventory.selectors.STOCK_CHECKS)."""

from __future__ import annotations

from apps.inventory.selectors import Violations, check_open_order_lines

from .models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus

# The statuses whose open quantities count as ordered (closed and cancelled orders release them).
COUNTING = (PurchaseOrderStatus.APPROVED, PurchaseOrderStatus.PARTIALLY_RECEIVED, PurchaseOrderStatus.RECEIVED)


def check_ordered_matches_orders(limit: int | None = None) -> Violations:
    """Each balance's ordered quantity equals the open quantities (ordered − received, never
    below zero) of the approved, not yet closed purchase order lines for it."""
    return check_open_order_lines(
        "ordered",
        balance_field="ordered_qty",
        order_model=PurchaseOrder,
        line_model=PurchaseOrderLine,
        done_field="received_qty",
        statuses=COUNTING,
        limit=limit,
    )


def check_documents_match_payables() -> list[str]:
    """Each posted receipt (return) with a total has one open-or-settled payable (debit note)
    of exactly its total (minus it); each cancelled one's item is cancelled."""
    from apps.finance.checks import check_documents_match_items
    from apps.finance.models import Payable

    from .models import PurchaseReceipt, PurchaseReturn
    from .selectors import SOURCE_RECEIPT, SOURCE_RETURN

    return check_documents_match_items(
        Payable, [(PurchaseReceipt, SOURCE_RECEIPT, 1), (PurchaseReturn, SOURCE_RETURN, -1)]
    )
