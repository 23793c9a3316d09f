from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.core.api import MasterDataViewSet

from . import services
from .filters import CategoryFilter, ProductFilter, UnitFilter, WarehouseFilter
from .models import Category, Product, Unit, Warehouse


class WarehouseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "address", "is_active"]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "parent"]
        # Uniqueness of (parent, name) is checked by the model's constraint in the service.
        validators = []


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "decimals"]


class ProductSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(
        slug_field="name",
        queryset=Unit.objects.all(),
        label=_("unit"),
        help_text=_("The stock unit's name, e.g. 个 or 箱; it must exist in /api/v1/units/."),
    )
    barcode = serializers.CharField(
        max_length=64, allow_blank=True, allow_null=True, required=False, label=_("barcode")
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "spec",
            "unit",
            "category",
            "barcode",
            "purchase_price",
            "sale_price",
            "tax_rate",
            "safety_stock",
            "max_stock",
            "reorder_qty",
            "valuation_method",
            "is_active",
        ]

    def validate_barcode(self, value):
        value = (value or "").strip() or None
        if value is not None:
            clash = Product.objects.filter(barcode=value)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError(_("This barcode is already used by another product."))
        return value


class WarehouseViewSet(MasterDataViewSet):
    queryset = Warehouse.objects.all()
    serializer_class = WarehouseSerializer
    filterset_class = WarehouseFilter
    create_service = staticmethod(services.warehouse_create)
    update_service = staticmethod(services.warehouse_update)
    delete_service = staticmethod(services.warehouse_delete)
    instance_kwarg = "warehouse"


class CategoryViewSet(MasterDataViewSet):
    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    filterset_class = CategoryFilter
    create_service = staticmethod(services.category_create)
    update_service = staticmethod(services.category_update)
    instance_kwarg = "category"


class UnitViewSet(MasterDataViewSet):
    queryset = Unit.objects.all()
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    create_service = staticmethod(services.unit_create)
    update_service = staticmethod(services.unit_update)
    instance_kwarg = "unit"


class ProductViewSet(MasterDataViewSet):
    """Products. ``?barcode=`` finds one by barcode (the scanner's lookup)."""

    queryset = Product.objects.select_related("unit")
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    create_service = staticmethod(services.product_create)
    update_service = staticmethod(services.product_update)
    instance_kwarg = "product"
