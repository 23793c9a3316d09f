"""factory_boy factories for the master data and users."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from apps.accounts.models import User
from apps.customers.models import Customer
from apps.inventory.models import Category, Product, Unit, Warehouse
from apps.suppliers.models import Supplier


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"User {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-Secret-123")

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
            if "it_admin" in extracted:
                User.objects.filter(pk=self.pk).update(is_staff=True)

    @factory.post_generation
    def warehouses(self, create, extracted, **kwargs):
        if create and extracted:
            for warehouse in extracted:
                assign_perm("inventory.operate_warehouse", self, warehouse)


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"WH{n:02d}")
    name = factory.Sequence(lambda n: f"仓库{n}")
    address = "上海市"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("name",)

    name = "个"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"类别{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU{n:05d}")
    name = factory.Sequence(lambda n: f"商品{n}")
    unit = factory.SubFactory(UnitFactory)
    purchase_price = Decimal("10.00")
    sale_price = Decimal("15.00")
    tax_rate = Decimal("0.13")


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"供应商{n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"C{n:04d}")
    name = factory.Sequence(lambda n: f"客户{n}")
