"""Stock invariants owned by purchasing, run by ``manage.py check_stock`` with the ledger's own
(registered in apps.py into apps.inventory.selectors.STOCK_CHECKS)."""

from __future__ import annotations

from apps.inventory.selectors import NAMES_JOIN, TABLES, Violations, format_qty, round_qty, run_check

from .models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus

# The statuses whose open quantities count as ordered (closed and cancelled orders release them).
COUNTING = (PurchaseOrderStatus.APPROVED, PurchaseOrderStatus.PARTIALLY_RECEIVED, PurchaseOrderStatus.RECEIVED)


def check_ordered_matches_orders(limit: int | None = None) -> Violations:
    """Each balance's ordered quantity equals the open quantities (ordered − received, never
    below zero) of the approved, not yet closed purchase order lines for it."""
    order, line = PurchaseOrder._meta.db_table, PurchaseOrderLine._meta.db_table
    statuses = ", ".join(["%s"] * len(COUNTING))
    sql = f"""
        SELECT b.product_id, p.sku, b.warehouse_id, w.code, NULL AS entry_id,
               COALESCE(o.open_qty, 0) AS open_qty, b.ordered_qty
        FROM {TABLES["balance"]} b
        {NAMES_JOIN.format(alias="b", **TABLES)}
        LEFT JOIN (
            SELECT l.product_id, h.warehouse_id,
                   SUM(CASE WHEN l.qty > l.received_qty THEN l.qty - l.received_qty ELSE 0 END) AS open_qty
            FROM {line} l JOIN {order} h ON h.id = l.document_id
            WHERE h.status IN ({statuses})
            GROUP BY l.product_id, h.warehouse_id
        ) o ON o.product_id = b.product_id AND o.warehouse_id = b.warehouse_id
        WHERE {round_qty("b.ordered_qty")} <> {round_qty("COALESCE(o.open_qty, 0)")}
    """  # noqa: S608 - table names only
    return run_check(
        "ordered",
        sql,
        [str(status) for status in COUNTING],
        limit,
        lambda r: (f"ordered {format_qty(r[0])}", f"ordered {format_qty(r[1])}"),
    )


def check_documents_match_payables() -> list[str]:
    """Each posted receipt (return) with a total has one open-or-settled payable (debit note)
    of exactly its total (minus it); each cancelled one's item is cancelled."""
    from apps.finance.models import OpenItemStatus, Payable

    from .models import PurchaseReceipt, PurchaseReturn
    from .selectors import SOURCE_RECEIPT, SOURCE_RETURN

    problems = []
    for model, source_type, sign in ((PurchaseReceipt, SOURCE_RECEIPT, 1), (PurchaseReturn, SOURCE_RETURN, -1)):
        items = {item.source_id: item for item in Payable.objects.filter(source_type=source_type)}
        for document in model.objects.exclude(status="draft").only("pk", "number", "status", "total"):
            item = items.get(document.pk)
            if document.status == "posted" and document.total != 0:
                if item is None or item.status == OpenItemStatus.CANCELLED or item.amount != sign * document.total:
                    found = "none" if item is None else f"{item.amount} ({item.status})"
                    problems.append(f"{document.number}: total {document.total}, payable {found}")
            elif document.status == "cancelled" and item is not None and item.status != OpenItemStatus.CANCELLED:
                problems.append(f"{document.number} is cancelled but its payable is {item.status}")
    return problems
