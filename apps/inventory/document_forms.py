"""Forms of the stock adjustment, transfer and count pages: fields, widgets and the shape of the
line grid only. The services check every rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.selectors import warehouses_for
from apps.core.pages import ServiceForm
from apps.core.widgets import DateInput

from .forms import CategoryChoiceField
from .models import Product, StockAdjustment, StockCount, StockTransfer, Warehouse


class WarehouseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


def _operable(user):
    """The active warehouses ``user`` may operate: the choices of every warehouse picker."""
    return warehouses_for(user).filter(is_active=True).order_by("code")


class DocumentHeaderForm(ServiceForm):
    """A document's header. Its warehouse pickers offer the warehouses the user operates; the
    service refuses the others anyway (403)."""

    warehouse_fields: tuple[str, ...] = ("warehouse",)

    def warehouse_choices(self, user):
        """The warehouses offered: by default those ``user`` operates."""
        return _operable(user)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        for name in self.warehouse_fields:
            current = getattr(self.instance, f"{name}_id", None)
            queryset = self.warehouse_choices(user) if user is not None else Warehouse.objects.none()
            if current:  # a draft keeps showing its warehouse
                queryset = Warehouse.objects.filter(Q(pk__in=queryset.values("pk")) | Q(pk=current)).order_by("code")
            self.fields[name].queryset = queryset
            if not self.instance.pk and queryset.count() == 1:
                self.fields[name].initial = queryset.first().pk
        self.fields["date"].widget = DateInput()
        self.fields["date"].required = False
        if "note" in self.fields:
            self.fields["note"].widget = forms.TextInput()
        for item in self.fields.values():
            item.widget.attrs.pop("autofocus", None)  # the cursor starts in the scan box


class StockAdjustmentForm(DocumentHeaderForm):
    class Meta:
        model = StockAdjustment
        fields = ["warehouse", "reason", "date", "note"]
        field_classes = {"warehouse": WarehouseChoiceField}


class StockTransferForm(DocumentHeaderForm):
    warehouse_fields = ("from_warehouse", "to_warehouse")

    class Meta:
        model = StockTransfer
        fields = ["from_warehouse", "to_warehouse", "date", "note"]
        field_classes = {"from_warehouse": WarehouseChoiceField, "to_warehouse": WarehouseChoiceField}


class StockCountStartForm(DocumentHeaderForm):
    include_products_without_stock = forms.BooleanField(
        label=gettext_lazy("Also list the category's products that have no stock here"), required=False
    )

    class Meta:
        model = StockCount
        fields = ["warehouse", "category", "location_from", "location_to", "date", "note"]
        field_classes = {"warehouse": WarehouseChoiceField, "category": CategoryChoiceField}
        help_texts = {
            "location_from": gettext_lazy("e.g. A-01; empty = from the first location"),
            "location_to": gettext_lazy("e.g. A-99; empty = to the last location"),
        }

    field_order = [
        "warehouse",
        "category",
        "include_products_without_stock",
        "location_from",
        "location_to",
        "date",
        "note",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].widget.attrs["autofocus"] = True
        self.fields["category"].required = False
        self.fields["category"].empty_label = _("All categories")
        self.fields["category"].widget.choices = self.fields["category"].choices


# --- The line grid -----------------------------------------------------------------------------


@dataclass
class LineRow:
    """One row of the editor's grid as typed: the product and the raw texts of its inputs, the
    parsed values, and what was wrong with them."""

    product: Product | None
    raw: dict[str, str]
    values: dict[str, Decimal | None] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def ref(self, name: str) -> int | None:
        text = self.raw.get(name, "")
        return int(text) if text.isdigit() else None


def _decimal(text: str) -> Decimal:
    value = Decimal(text.replace(",", "").strip())
    if not value.is_finite():
        raise InvalidOperation
    return value


class LineGrid:
    """The rows posted by the editor: ``line-product``, and one ``line-<name>`` per numeric
    field, repeated once per row in order. ``optional`` fields may be left empty. ``refs`` are
    hidden ids a row carries along (the order line a receipt line receives), kept as typed:
    ``row.ref(name)`` is the id or None."""

    def __init__(self, data, *, fields: tuple[str, ...], optional: tuple[str, ...] = (), refs: tuple[str, ...] = ()):
        self.fields = fields
        self.optional = optional
        ids = data.getlist("line-product")
        columns = {name: data.getlist(f"line-{name}") for name in (*fields, *refs)}
        products = Product.objects.select_related("unit").in_bulk([int(pk) for pk in ids if pk.isdigit()])
        self.rows: list[LineRow] = []
        for index, pk in enumerate(ids):
            product = products.get(int(pk)) if pk.isdigit() else None
            raw = {name: (column[index] if index < len(column) else "").strip() for name, column in columns.items()}
            self.rows.append(LineRow(product=product, raw=raw))

    def remove(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            del self.rows[index]

    def add(self, product: Product, **raw) -> LineRow:
        """One more of ``product``: +1 on its row if it has one (an empty quantity becomes 1), else a new row."""
        for row in self.rows:
            if row.product is not None and row.product.pk == product.pk:
                try:
                    row.raw["qty"] = _plain(_decimal(row.raw.get("qty") or "0") + 1)
                except InvalidOperation:
                    row.raw["qty"] = "1"
                return row
        row = LineRow(product=product, raw=dict.fromkeys(self.fields, "") | {"qty": "1"} | raw)
        self.rows.append(row)
        return row

    def is_valid(self) -> bool:
        ok = True
        for number, row in enumerate(self.rows, start=1):
            row.errors, row.values = [], {}
            if row.product is None:
                row.errors.append(_("Line %(line)s: the product no longer exists.") % {"line": number})
            for name in self.fields:
                text = row.raw.get(name, "")
                if not text:
                    if name not in self.optional:
                        row.errors.append(_("Line %(line)s: enter a quantity.") % {"line": number})
                    row.values[name] = None
                    continue
                try:
                    row.values[name] = _decimal(text)
                except (InvalidOperation, ValueError):
                    row.errors.append(_("Line %(line)s: “%(text)s” is not a number.") % {"line": number, "text": text})
            ok = ok and not row.errors
        return ok

    @property
    def errors(self) -> list[str]:
        return [error for row in self.rows for error in row.errors]

    def service_lines(self) -> list[dict]:
        return [{"product": row.product, **row.values} for row in self.rows]


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"
