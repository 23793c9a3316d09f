"""Forms of the inventory master-data pages: fields and widgets only; the services validate."""

from django import forms

from apps.core.pages import PercentField, ServiceForm

from .models import Category, Product, Unit, Warehouse, default_tax_rate


class CategoryChoiceField(forms.ModelChoiceField):
    """Categories shown with their path, e.g. "食品 / 饮料"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Category.objects.select_related("parent__parent"))
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return category_path(obj)


def category_path(category: Category | None) -> str:
    names = []
    node, depth = category, 0
    while node is not None and depth < 10:
        names.append(node.name)
        node, depth = node.parent, depth + 1
    return " / ".join(reversed(names))


class WarehouseForm(ServiceForm):
    class Meta:
        model = Warehouse
        fields = ["code", "name", "address", "is_active"]


class CategoryForm(ServiceForm):
    class Meta:
        model = Category
        fields = ["name", "parent"]
        field_classes = {"parent": CategoryChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(pk=self.instance.pk)


class UnitForm(ServiceForm):
    class Meta:
        model = Unit
        fields = ["name", "decimals"]


class ProductForm(ServiceForm):
    tax_rate = PercentField(label=Product._meta.get_field("tax_rate").verbose_name, initial=default_tax_rate)

    class Meta:
        model = Product
        fields = [
            "sku",
            "name",
            "spec",
            "barcode",
            "unit",
            "category",
            "purchase_price",
            "sale_price",
            "tax_rate",
            "safety_stock",
            "max_stock",
            "reorder_qty",
            "valuation_method",
            "is_active",
        ]
        field_classes = {"category": CategoryChoiceField}
        widgets = {"barcode": forms.TextInput(attrs={"data-scan": "", "autocomplete": "off"})}
