"""The one Excel writer: openpyxl's write-only mode, used by every list (``?format=xlsx``) and
report. Numbers stay numbers (Decimal), headers are the fields' translated labels."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.utils.text import capfirst
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Column:
    """One column: the key in each row, a header, and whether the value is a number."""

    def __init__(self, key: str, header: str, numeric: bool = False):
        self.key = key
        self.header = str(header)
        self.numeric = numeric


def write_workbook(rows: Iterable[dict], columns: Sequence[Column], *, title: str = "Sheet1", stream=None):
    """Write ``rows`` to a one-sheet workbook in write-only mode; returns the stream."""
    stream = stream or io.BytesIO()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet1")
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell_value(row.get(c.key), c.numeric) for c in columns])
    workbook.save(stream)
    return stream


def _cell_value(value, numeric):
    if value is None:
        return None
    if numeric and isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return str(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def columns_from_serializer(serializer: serializers.BaseSerializer) -> list[Column]:
    """Columns for every readable field of a serializer, labelled with the field's label."""
    fields = serializer.child.fields if isinstance(serializer, serializers.ListSerializer) else serializer.fields
    columns = []
    for name, field in fields.items():
        if field.write_only or isinstance(field, (serializers.ListSerializer, serializers.BaseSerializer)):
            continue
        numeric = isinstance(field, (serializers.DecimalField, serializers.IntegerField, serializers.FloatField))
        columns.append(Column(name, capfirst(field.label or name), numeric=numeric))
    return columns


class XLSXRenderer(BaseRenderer):
    """``?format=xlsx`` for any list or report view.

    The view may define ``xlsx_columns()`` (reports) ; otherwise the columns come from its
    serializer. Paginated data is not expected: the pagination class turns itself off for
    this format, so the file holds every row the filters select.
    """

    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        view = renderer_context.get("view")
        response = renderer_context.get("response")
        if isinstance(data, dict):
            rows = data.get("results", data.get("rows", [data]))
        else:
            rows = data or []
        if view is not None and hasattr(view, "xlsx_columns"):
            columns = view.xlsx_columns()
        elif view is not None and hasattr(view, "get_serializer"):
            columns = columns_from_serializer(view.get_serializer())
        else:
            columns = [Column(k, k) for k in (rows[0].keys() if rows else [])]
        name = getattr(view, "xlsx_filename", None) or getattr(view, "basename", None) or "export"
        if response is not None:
            stamp = datetime.date.today().isoformat()
            response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
        return write_workbook(rows, columns, title=str(name)).getvalue()
