"""What each kind of import reads and how it checks and writes its rows.

A kind names its columns (the template's header row: English and Chinese, e.g. "SKU 编码"),
checks every row with the rules the master-data services apply (the models' ``full_clean``:
field validators, choices, ``clean()``; the customers' salesperson rule; warehouse scope for
stock), and writes all rows at once. Uniqueness (SKU, barcode, partner codes) is checked for the
whole file in one query instead of one query per row, with the models' own messages; the
database's unique constraints stay the last word.

Checking returns a plan and a list of row errors ``{row, column, field, message}`` (``row`` is
the Excel row number, ``column`` the header as in the template); writing runs only when there
are no errors. Products, customers and suppliers are written in bulk with their history rows
(``bulk_create_with_history``, the audit trail the services keep); opening stock posts one
stock adjustment with reason "opening" per warehouse through
``apps.inventory.services.stock_adjustment_create`` / ``stock_adjustment_post`` (the ledger and
the journal entry against 3001 paid-in capital).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from apps.accounts.selectors import may_operate_warehouse, sees_all_customers
from apps.core.services import pinyin_index
from apps.customers.models import Customer
from apps.customers.services import _check_salesperson
from apps.inventory.models import (
    AdjustmentReason,
    Category,
    Product,
    StockAdjustmentLine,
    Unit,
    ValuationMethod,
    Warehouse,
)
from apps.inventory.services import stock_adjustment_create, stock_adjustment_post
from apps.suppliers.models import Supplier

from .models import ImportKind

TEXT, DECIMAL, INTEGER = "text", "decimal", "integer"
BATCH = 1000


@dataclass(frozen=True)
class ImportColumn:
    """A template column: the field it fills, its English and Chinese header, whether the
    header must be present and a value given, and how a cell is read."""

    field: str
    en: str
    zh: str
    required: bool = False
    type: str = TEXT
    help: Any = ""

    @property
    def header(self) -> str:
        return f"{self.en} {self.zh}"

    def names(self) -> set[str]:
        """The header texts that name this column (the full header, either language, the field)."""
        return {normalize_header(n) for n in (self.header, self.en, self.zh, self.field)}


def normalize_header(text) -> str:
    return "".join(str(text or "").split()).lower()


def cell_value(value, type_: str):
    """A cell as the model field expects it: text stripped (a whole number typed into a text
    column, such as a numeric SKU, without ".0"), decimals exact (never through float), empty
    cells None. What cannot be converted is returned as text for the field to reject."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
    if type_ == TEXT:
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if isinstance(value, bool):
        return str(value)
    if type_ == INTEGER:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = value.replace(",", "")
        try:
            if text.endswith("%"):
                return Decimal(text[:-1].strip()) / 100
            return Decimal(text)
        except InvalidOperation:
            return value
    return str(value)


@dataclass
class Row:
    number: int  # the Excel row number
    values: dict  # field -> converted cell value (None when empty)


@dataclass
class Check:
    """The outcome of checking a file: the errors and what to write when there are none."""

    errors: list[dict] = field(default_factory=list)
    plan: Any = None

    def add(self, kind: ImportKindSpec, row: int, field_name: str, message) -> None:
        column = kind.column(field_name)
        self.errors.append(
            {"row": row, "column": column.header if column else "", "field": field_name, "message": str(message)}
        )

    def add_validation_error(self, kind: ImportKindSpec, row: int, exc: ValidationError) -> None:
        for field_name, messages in exc.message_dict.items():
            for message in messages:
                self.add(kind, row, "" if field_name == NON_FIELD_ERRORS else field_name, message)


Progress = Callable[[int], None]


class ImportKindSpec:
    kind: str
    columns: list[ImportColumn]
    title: Any

    def column(self, field_name: str) -> ImportColumn | None:
        return next((c for c in self.columns if c.field == field_name), None)

    def check(self, rows: list[Row], *, user, progress: Progress | None = None) -> Check:
        raise NotImplementedError

    def write(self, plan, *, user) -> dict:
        raise NotImplementedError


def _report(progress: Progress | None, done: int) -> None:
    if progress is not None and done % 500 == 0:
        progress(done)


class MasterDataKind(ImportKindSpec):
    """Products, customers, suppliers: one new record per row."""

    model: type[models.Model]

    def lookups(self, rows: list[Row], *, user) -> dict:
        """Everything the rows refer to, loaded once (units, categories, salespeople)."""
        return {}

    def fields_for(self, row: Row, check: Check, lookups: dict, *, user) -> tuple[dict, set[str]]:
        """The model fields of ``row`` (only the cells given: empty ones keep the model's
        defaults) and the fields whose error is already reported (a reference that does not
        resolve), which the model's own checks then leave alone."""
        return {name: value for name, value in row.values.items() if value is not None}, set()

    def check(self, rows: list[Row], *, user, progress: Progress | None = None) -> Check:
        check = Check()
        lookups = self.lookups(rows, user=user)
        instances = []
        for done, row in enumerate(rows, start=1):
            errors_before = len(check.errors)
            fields, reported = self.fields_for(row, check, lookups, user=user)
            instance = self.model(**fields)
            if hasattr(instance, "name_pinyin"):
                instance.name_pinyin = pinyin_index(instance.name)
            try:
                instance.full_clean(
                    exclude=reported | self._resolved(fields), validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                check.add_validation_error(self, row.number, exc)
            if len(check.errors) == errors_before:
                instances.append((row.number, instance))
            _report(progress, done)
        self._check_unique(rows, check)
        check.plan = [instance for _number, instance in instances]
        return check

    def _resolved(self, fields: dict) -> set[str]:
        """Relations filled in with objects just read from the database: checking that they
        exist again would cost one query per row and field."""
        return {name for name, value in fields.items() if isinstance(value, models.Model)}

    def _check_unique(self, rows: list[Row], check: Check) -> None:
        """Unique fields (SKU, barcode, code): not twice in the file, not already in use."""
        for model_field in self.model._meta.fields:
            if not model_field.unique or model_field.primary_key or self.column(model_field.name) is None:
                continue
            first_row: dict[str, int] = {}
            for row in rows:
                value = row.values.get(model_field.name)
                if value is None:
                    continue
                if value in first_row:
                    check.add(
                        self,
                        row.number,
                        model_field.name,
                        _("%(value)s is repeated: row %(row)s has it too.") % {"value": value, "row": first_row[value]},
                    )
                else:
                    first_row[value] = row.number
            taken: set[str] = set()
            values = list(first_row)
            for start in range(0, len(values), 5000):
                taken.update(
                    self.model._base_manager.filter(
                        **{f"{model_field.name}__in": values[start : start + 5000]}
                    ).values_list(model_field.name, flat=True)
                )
            message = model_field.error_messages.get("unique")
            for value in sorted(taken, key=lambda v: first_row[v]):
                check.add(self, first_row[value], model_field.name, message)
        check.errors.sort(key=lambda error: error["row"])

    def write(self, plan, *, user) -> dict:
        created = bulk_create_with_history(plan, self.model, batch_size=BATCH, default_user=user)
        return {"created": len(created)}


def _by_name(queryset, names: set[str]) -> dict[str, list]:
    found: dict[str, list] = {}
    for obj in queryset.filter(name__in=names):
        found.setdefault(obj.name, []).append(obj)
    return found


class ProductsKind(MasterDataKind):
    kind = ImportKind.PRODUCTS
    title = gettext_lazy("Products")
    model = Product
    columns = [
        ImportColumn("sku", "SKU", "编码", required=True),
        ImportColumn("name", "Name", "名称", required=True),
        ImportColumn("spec", "Specification", "规格"),
        ImportColumn("unit", "Unit", "单位", required=True, help=gettext_lazy("The name of an existing unit, e.g. 个")),
        ImportColumn("category", "Category", "分类", help=gettext_lazy("The name of an existing category")),
        ImportColumn("barcode", "Barcode", "条码"),
        ImportColumn("purchase_price", "Purchase price", "采购价", type=DECIMAL),
        ImportColumn("sale_price", "Sale price", "销售价", type=DECIMAL),
        ImportColumn("tax_rate", "VAT rate", "税率", type=DECIMAL, help=gettext_lazy("A fraction (0.13) or 13%")),
        ImportColumn("safety_stock", "Safety stock", "安全库存", type=DECIMAL),
        ImportColumn("max_stock", "Max stock", "最高库存", type=DECIMAL),
        ImportColumn("reorder_qty", "Reorder quantity", "再订货量", type=DECIMAL),
        ImportColumn(
            "valuation_method",
            "Valuation method",
            "计价方法",
            help=gettext_lazy("moving_average (the default) or fifo"),
        ),
    ]

    def lookups(self, rows, *, user):
        units = {row.values.get("unit") for row in rows} - {None}
        categories = {row.values.get("category") for row in rows} - {None}
        methods = {}
        for value, label in ValuationMethod.choices:
            methods.update({normalize_header(value): value, normalize_header(label): value})
        return {
            "units": {unit.name: unit for unit in Unit.objects.filter(name__in=units)},
            "categories": _by_name(Category.objects.all(), categories),
            "methods": methods,
        }

    def fields_for(self, row, check, lookups, *, user):
        fields, reported = super().fields_for(row, check, lookups, user=user)
        unit = fields.pop("unit", None)
        if unit is not None:
            if unit in lookups["units"]:
                fields["unit"] = lookups["units"][unit]
            else:
                check.add(self, row.number, "unit", _("There is no unit named %(name)s.") % {"name": unit})
                reported.add("unit")
        category = fields.pop("category", None)
        if category is not None:
            found = lookups["categories"].get(category, [])
            if len(found) != 1:
                message = (
                    _("There is no category named %(name)s.")
                    if not found
                    else _("Several categories are named %(name)s.")
                )
                check.add(self, row.number, "category", message % {"name": category})
                reported.add("category")
            else:
                fields["category"] = found[0]
        method = fields.get("valuation_method")
        if method is not None:
            fields["valuation_method"] = lookups["methods"].get(normalize_header(method), method)
        return fields, reported


class PartnerKind(MasterDataKind):
    partner_columns = [
        ImportColumn("code", "Code", "编码", required=True),
        ImportColumn("name", "Name", "名称", required=True),
        ImportColumn("contact", "Contact", "联系人"),
        ImportColumn("phone", "Phone", "电话"),
        ImportColumn("email", "E-mail", "邮箱"),
        ImportColumn("address", "Address", "地址"),
        ImportColumn("payment_terms_days", "Payment terms (days)", "账期天数", type=INTEGER),
        ImportColumn("tax_number", "Tax number", "税号"),
    ]


class SuppliersKind(PartnerKind):
    kind = ImportKind.SUPPLIERS
    title = gettext_lazy("Suppliers")
    model = Supplier
    columns = [*PartnerKind.partner_columns, ImportColumn("bank_account", "Bank account", "银行账号")]


class CustomersKind(PartnerKind):
    kind = ImportKind.CUSTOMERS
    title = gettext_lazy("Customers")
    model = Customer
    columns = [
        *PartnerKind.partner_columns,
        ImportColumn("credit_limit", "Credit limit", "信用额度", type=DECIMAL, help=gettext_lazy("Empty: no limit")),
        ImportColumn("grade", "Grade", "等级"),
        ImportColumn("salesperson", "Salesperson", "业务员", help=gettext_lazy("The salesperson's user name")),
    ]

    def lookups(self, rows, *, user):
        names = {row.values.get("salesperson") for row in rows} - {None}
        users = get_user_model().objects.filter(username__in=names).prefetch_related("groups")
        return {"users": {u.username: u for u in users}, "sees_all": sees_all_customers(user)}

    def fields_for(self, row, check, lookups, *, user):
        fields, reported = super().fields_for(row, check, lookups, user=user)
        username = fields.pop("salesperson", None)
        if username is not None and username not in lookups["users"]:
            check.add(self, row.number, "salesperson", _("There is no user %(name)s.") % {"name": username})
            reported.add("salesperson")
            return fields, reported
        if username is not None:
            fields["salesperson"] = lookups["users"][username]
        # What customer_create does: a salesperson owns the customers they create and no others.
        fields.setdefault("salesperson", None if lookups["sees_all"] else user)
        try:
            _check_salesperson(user=user, customer=None, fields=fields)
        except ValidationError as exc:
            check.add_validation_error(self, row.number, exc)
            reported.add("salesperson")
        return fields, reported


@dataclass
class OpeningLine:
    row: int
    warehouse: Warehouse
    product: Product
    qty: Decimal
    unit_cost: Decimal


class OpeningStockKind(ImportKindSpec):
    kind = ImportKind.OPENING_STOCK
    title = gettext_lazy("Opening stock")
    columns = [
        ImportColumn("warehouse", "Warehouse code", "仓库编码", required=True),
        ImportColumn("sku", "SKU", "编码", required=True),
        ImportColumn("qty", "Quantity", "数量", required=True, type=DECIMAL),
        ImportColumn("unit_cost", "Unit cost", "单位成本", required=True, type=DECIMAL),
    ]

    def check(self, rows, *, user, progress=None):
        check = Check()
        warehouses = {w.code: w for w in Warehouse.objects.filter(code__in={r.values.get("warehouse") for r in rows})}
        skus = {row.values.get("sku") for row in rows} - {None}
        products: dict[str, Product] = {}
        sku_list = list(skus)
        for start in range(0, len(sku_list), 5000):
            products.update({p.sku: p for p in Product.objects.filter(sku__in=sku_list[start : start + 5000])})
        operated: dict[int, bool] = {}
        qty_field = StockAdjustmentLine._meta.get_field("qty")
        cost_field = StockAdjustmentLine._meta.get_field("unit_cost")
        seen: dict[tuple, int] = {}
        lines = []
        for done, row in enumerate(rows, start=1):
            before = len(check.errors)
            warehouse = self._lookup(check, row, "warehouse", warehouses, _("There is no warehouse %(value)s."))
            if warehouse is not None:
                if warehouse.pk not in operated:
                    operated[warehouse.pk] = may_operate_warehouse(user, warehouse)
                if not operated[warehouse.pk]:
                    check.add(
                        self,
                        row.number,
                        "warehouse",
                        _("You are not assigned to warehouse %(warehouse)s.") % {"warehouse": warehouse},
                    )
            product = self._lookup(check, row, "sku", products, _("There is no product with SKU %(value)s."))
            qty = self._clean(check, row, "qty", qty_field)
            if qty is not None and qty <= 0:
                check.add(self, row.number, "qty", _("The opening quantity must be more than zero."))
            cost = self._clean(check, row, "unit_cost", cost_field)
            if warehouse and product:
                key = (warehouse.pk, product.pk)
                if key in seen:
                    check.add(
                        self,
                        row.number,
                        "sku",
                        _("This product's opening stock in this warehouse is already in row %(row)s.")
                        % {"row": seen[key]},
                    )
                else:
                    seen[key] = row.number
            if len(check.errors) == before:
                lines.append(OpeningLine(row.number, warehouse, product, qty, cost))
            _report(progress, done)
        check.plan = lines
        return check

    def _lookup(self, check: Check, row: Row, name: str, found: dict, message: str):
        if not self._required(check, row, name):
            return None
        value = found.get(row.values[name])
        if value is None:
            check.add(self, row.number, name, message % {"value": row.values[name]})
        return value

    def _required(self, check: Check, row: Row, name: str) -> bool:
        if row.values.get(name) is None:
            check.add(self, row.number, name, _("This field cannot be blank."))
            return False
        return True

    def _clean(self, check: Check, row: Row, name: str, model_field):
        if not self._required(check, row, name):
            return None
        try:
            return model_field.clean(row.values[name], None)
        except ValidationError as exc:
            for message in exc.messages:
                check.add(self, row.number, name, message)
            return None

    def write(self, plan, *, user) -> dict:
        """One opening adjustment per warehouse (in warehouse code order), posted."""
        by_warehouse: dict[int, list[OpeningLine]] = {}
        for line in plan:
            by_warehouse.setdefault(line.warehouse.pk, []).append(line)
        numbers = []
        for lines in sorted(by_warehouse.values(), key=lambda ls: ls[0].warehouse.code):
            adjustment = stock_adjustment_create(
                user=user,
                warehouse=lines[0].warehouse,
                reason=AdjustmentReason.OPENING,
                lines=[{"product": line.product, "qty": line.qty, "unit_cost": line.unit_cost} for line in lines],
                note=_("Opening stock imported from Excel"),
            )
            adjustment = stock_adjustment_post(adjustment=adjustment, user=user)
            numbers.append(adjustment.number)
        return {"created": len(plan), "adjustments": numbers}


KINDS: dict[str, ImportKindSpec] = {
    spec.kind: spec for spec in (ProductsKind(), CustomersKind(), SuppliersKind(), OpeningStockKind())
}

# Who may import what: the permission the same records need when entered one by one.
KIND_PERMISSIONS = {
    ImportKind.PRODUCTS: "inventory.add_product",
    ImportKind.SUPPLIERS: "suppliers.add_supplier",
    ImportKind.CUSTOMERS: "customers.add_customer",
    ImportKind.OPENING_STOCK: "inventory.post_stockadjustment",
}
IMPORT_PERMISSION = "imports.import_data"


def may_import(user, kind: str) -> bool:
    return user.has_perm(IMPORT_PERMISSION) and user.has_perm(KIND_PERMISSIONS[kind])
