"""One error type for business refusals, mapped once to HTTP by the DRF exception handler."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from apps.core.errors import BusinessError
from apps.inventory.models import Category, Product, Unit
from tests.factories import CategoryFactory, CustomerFactory, ProductFactory, UnitFactory


class RaisingView(APIView):
    """Raises whatever the test hands it, like a service deep inside a real view would."""

    permission_classes = []
    exc = None

    def post(self, request):
        raise self.exc


def call_raising(exc):
    request = APIRequestFactory().post("/raise/", {}, format="json")
    return RaisingView.as_view(exc=exc)(request)


@pytest.mark.parametrize(
    "code",
    [
        "insufficient_stock",
        "invalid_state",
        "credit_limit_exceeded",
        "period_closed",
        "over_receipt",
        "over_allocation",
        "self_approval",
    ],
)
def test_business_error_is_409_with_code_and_detail(code):
    response = call_raising(BusinessError(code, "Not now."))

    assert response.status_code == 409
    assert response.data == {"code": code, "detail": "Not now."}


def test_business_error_extra_fields_travel_with_it():
    response = call_raising(BusinessError(BusinessError.INSUFFICIENT_STOCK, "Only 3 left.", available="3.0000"))

    assert response.status_code == 409
    assert response.data == {"code": "insufficient_stock", "detail": "Only 3 left.", "available": "3.0000"}


def test_business_error_codes_are_the_contracts():
    assert [
        BusinessError.INSUFFICIENT_STOCK,
        BusinessError.INVALID_STATE,
        BusinessError.CREDIT_LIMIT_EXCEEDED,
        BusinessError.PERIOD_CLOSED,
        BusinessError.OVER_RECEIPT,
        BusinessError.OVER_ALLOCATION,
        BusinessError.SELF_APPROVAL,
    ] == [
        "insufficient_stock",
        "invalid_state",
        "credit_limit_exceeded",
        "period_closed",
        "over_receipt",
        "over_allocation",
        "self_approval",
    ]


@pytest.mark.parametrize(
    ("exc", "body"),
    [
        (DjangoValidationError({"qty": ["Must be positive."]}), {"qty": ["Must be positive."]}),
        (DjangoValidationError("Lines are required."), {"non_field_errors": ["Lines are required."]}),
        (
            DjangoValidationError({"__all__": ["Pick a date."], "qty": ["Too big.", "Too odd."]}),
            {"non_field_errors": ["Pick a date."], "qty": ["Too big.", "Too odd."]},
        ),
    ],
)
def test_a_django_validation_error_from_a_service_is_400_by_field(exc, body):
    response = call_raising(exc)

    assert response.status_code == 400
    assert response.data == body


def test_an_integrity_error_is_409_duplicate_not_500():
    response = call_raising(IntegrityError('duplicate key value violates unique constraint "x"'))

    assert response.status_code == 409
    assert response.data == {"code": "duplicate", "detail": "The record conflicts with an existing one."}


def test_the_409_body_is_json_through_the_renderer():
    request = APIRequestFactory().post("/raise/", {}, format="json")
    response = RaisingView.as_view(exc=BusinessError("invalid_state", "已过账的单据不能修改。"))(request)
    response.render()

    assert response["Content-Type"] == "application/json"
    assert response.content.decode() == '{"code":"invalid_state","detail":"已过账的单据不能修改。"}'


def test_an_authenticated_raising_view_still_maps(make_user):
    request = APIRequestFactory().post("/raise/", {}, format="json")
    force_authenticate(request, user=make_user("sales"))

    response = RaisingView.as_view(exc=BusinessError("credit_limit_exceeded", "Over the limit."))(request)

    assert response.status_code == 409
    assert response.data["code"] == "credit_limit_exceeded"


# --- deleting a record that others use ----------------------------------------------------

IN_USE = {"code": "in_use", "detail": "This record is used by other records and cannot be deleted."}


def test_deleting_a_unit_a_product_uses_is_409_in_use(api_as):
    unit = UnitFactory(name="箱")
    product = ProductFactory(unit=unit)

    response = api_as("purchasing").delete(f"/api/v1/units/{unit.pk}/")

    assert response.status_code == 409
    assert response.json() == IN_USE
    assert Unit.objects.filter(pk=unit.pk).exists()
    assert Product.objects.get(pk=product.pk).unit_id == unit.pk


def test_deleting_a_category_with_products_is_409_in_use(api_as):
    category = CategoryFactory(name="饮料")
    ProductFactory(category=category)
    ProductFactory(category=category)

    response = api_as("management").delete(f"/api/v1/categories/{category.pk}/")

    assert response.status_code == 409
    assert response.json() == IN_USE
    assert Category.objects.filter(pk=category.pk).exists()
    assert Product.objects.filter(category=category).count() == 2


def test_deleting_a_category_with_sub_categories_is_409_in_use(api_as):
    parent = CategoryFactory(name="饮料")
    child = CategoryFactory(name="矿泉水", parent=parent)

    response = api_as("purchasing").delete(f"/api/v1/categories/{parent.pk}/")

    assert response.status_code == 409
    assert response.json() == IN_USE
    assert list(Category.objects.order_by("pk").values_list("pk", "parent_id")) == [
        (parent.pk, None),
        (child.pk, parent.pk),
    ]


def test_a_refused_delete_records_no_history(api_as):
    unit = UnitFactory(name="箱")
    ProductFactory(unit=unit)
    history_rows = Unit.history.count()

    api_as("purchasing").delete(f"/api/v1/units/{unit.pk}/")

    assert Unit.history.count() == history_rows


def test_deleting_a_user_who_is_a_salesperson_is_not_offered(api_as, make_user):
    salesperson = make_user("sales")
    CustomerFactory(salesperson=salesperson)

    response = api_as("it_admin").delete(f"/api/v1/users/{salesperson.pk}/")

    assert response.status_code == 405
    assert type(salesperson).objects.filter(pk=salesperson.pk).exists()
