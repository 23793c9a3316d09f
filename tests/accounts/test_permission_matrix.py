"""THE permission matrix: every master-data endpoint x every department (and anonymous) x
read (list, detail) and write (create, update, delete of an unused record).

The expected status codes are written out by hand below from what each department's job
needs; they are deliberately not computed from apps/accounts/departments.py, so a change to
that table that grants or removes access shows up here as a failing case. Every refusal
also checks that the database did not change.
"""

import pytest
from django.contrib.auth.models import Group
from guardian.models import UserObjectPermission

from apps.accounts.models import User
from apps.customers.models import Customer
from apps.inventory.models import Category, Product, Unit, Warehouse
from apps.suppliers.models import Supplier
from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    ProductFactory,
    SupplierFactory,
    UnitFactory,
    UserFactory,
    WarehouseFactory,
)

ACTORS = ["warehouse", "purchasing", "sales", "finance", "customer_service", "management", "it_admin", "anonymous"]

# fmt: off
EXPECTED = {
    #  resource      operation     warehouse purchasing sales finance customer_service management it_admin anonymous
    ("warehouses", "list"):     (200,      200,       200,  200,    200,             200,       200,     401),
    ("warehouses", "retrieve"): (200,      200,       200,  200,    200,             200,       200,     401),
    ("warehouses", "create"):   (403,      403,       403,  403,    403,             201,       403,     401),
    ("warehouses", "update"):   (403,      403,       403,  403,    403,             200,       403,     401),
    ("warehouses", "delete"):   (403,      403,       403,  403,    403,             204,       403,     401),

    ("categories", "list"):     (200,      200,       200,  200,    200,             200,       403,     401),
    ("categories", "retrieve"): (200,      200,       200,  200,    200,             200,       403,     401),
    ("categories", "create"):   (403,      201,       403,  403,    403,             201,       403,     401),
    ("categories", "update"):   (403,      200,       403,  403,    403,             200,       403,     401),
    ("categories", "delete"):   (403,      204,       403,  403,    403,             204,       403,     401),

    ("units", "list"):          (200,      200,       200,  200,    200,             200,       403,     401),
    ("units", "retrieve"):      (200,      200,       200,  200,    200,             200,       403,     401),
    ("units", "create"):        (403,      201,       403,  403,    403,             201,       403,     401),
    ("units", "update"):        (403,      200,       403,  403,    403,             200,       403,     401),
    ("units", "delete"):        (403,      204,       403,  403,    403,             204,       403,     401),

    ("products", "list"):       (200,      200,       200,  200,    200,             200,       403,     401),
    ("products", "retrieve"):   (200,      200,       200,  200,    200,             200,       403,     401),
    ("products", "create"):     (403,      201,       403,  403,    403,             201,       403,     401),
    ("products", "update"):     (403,      200,       403,  403,    403,             200,       403,     401),
    ("products", "delete"):     (403,      204,       403,  403,    403,             204,       403,     401),

    ("suppliers", "list"):      (200,      200,       403,  200,    403,             200,       403,     401),
    ("suppliers", "retrieve"):  (200,      200,       403,  200,    403,             200,       403,     401),
    ("suppliers", "create"):    (403,      201,       403,  403,    403,             201,       403,     401),
    ("suppliers", "update"):    (403,      200,       403,  403,    403,             200,       403,     401),
    ("suppliers", "delete"):    (403,      204,       403,  403,    403,             204,       403,     401),

    # A salesperson acts here on a customer of their own (the scope tests below cover others').
    ("customers", "list"):      (200,      403,       200,  200,    200,             200,       403,     401),
    ("customers", "retrieve"):  (200,      403,       200,  200,    200,             200,       403,     401),
    ("customers", "create"):    (403,      403,       201,  403,    403,             201,       403,     401),
    ("customers", "update"):    (403,      403,       200,  403,    403,             200,       403,     401),
    ("customers", "delete"):    (403,      403,       204,  403,    403,             204,       403,     401),

    # Users are never deleted (deactivate instead): the IT admin gets 405.
    ("users", "list"):          (403,      403,       403,  403,    403,             403,       200,     401),
    ("users", "retrieve"):      (403,      403,       403,  403,    403,             403,       200,     401),
    ("users", "create"):        (403,      403,       403,  403,    403,             403,       201,     401),
    ("users", "update"):        (403,      403,       403,  403,    403,             403,       200,     401),
    ("users", "delete"):        (403,      403,       403,  403,    403,             403,       405,     401),
}
# fmt: on

CASES = [
    pytest.param(resource, operation, actor, statuses[i], id=f"{resource}-{operation}-{actor}")
    for (resource, operation), statuses in EXPECTED.items()
    for i, actor in enumerate(ACTORS)
]

MODELS = {
    "warehouses": Warehouse,
    "categories": Category,
    "units": Unit,
    "products": Product,
    "suppliers": Supplier,
    "customers": Customer,
    "users": User,
}

CREATE = {
    "warehouses": {"code": "WH-NEW", "name": "新仓库"},
    "categories": {"name": "新类别"},
    "units": {"name": "kg", "decimals": 3},
    "products": {"sku": "NEW-1", "name": "新商品", "unit": "个"},
    "suppliers": {"code": "S-NEW", "name": "新供应商"},
    "customers": {"code": "C-NEW", "name": "新客户"},
    "users": {"username": "newbie", "password": "Kv8#wQ2-zLm", "departments": ["sales"]},
}

UPDATE = {
    "warehouses": ("name", "改名仓库"),
    "categories": ("name", "改名类别"),
    "units": ("name", "盒"),
    "products": ("name", "改名商品"),
    "suppliers": ("name", "改名供应商"),
    "customers": ("name", "改名客户"),
    "users": ("full_name", "改名用户"),
}


def make_target(resource, actor_user):
    """One unused record of ``resource`` (plus what a create needs, e.g. the unit 个)."""
    if resource == "warehouses":
        return WarehouseFactory(code="WH-T", name="目标仓库")
    if resource == "categories":
        return CategoryFactory(name="目标类别")
    if resource == "units":
        return UnitFactory(name="箱")
    if resource == "products":
        return ProductFactory(sku="T-1", unit=UnitFactory(name="个"))
    if resource == "suppliers":
        return SupplierFactory(code="S-T")
    if resource == "customers":
        return CustomerFactory(code="C-T", salesperson=actor_user)
    return UserFactory(username="target", departments=["warehouse"])


def database_state(model):
    """Every row of the resource's table (and, for users, their departments and warehouses)."""
    state = {"rows": list(model.objects.order_by("pk").values())}
    if model is User:
        state["groups"] = sorted(User.groups.through.objects.values_list("user_id", "group_id"))
        state["object_perms"] = sorted(UserObjectPermission.objects.values_list("user_id", "object_pk"))
    return state


def send(client, resource, operation, target):
    base = f"/api/v1/{resource}/"
    detail = f"{base}{target.pk}/"
    if operation == "list":
        return client.get(base)
    if operation == "retrieve":
        return client.get(detail)
    if operation == "create":
        return client.post(base, CREATE[resource], format="json")
    if operation == "update":
        field, value = UPDATE[resource]
        return client.patch(detail, {field: value}, format="json")
    return client.delete(detail)


@pytest.mark.parametrize(("resource", "operation", "actor", "expected"), CASES)
def test_permission_matrix(api_as, resource, operation, actor, expected):
    # given
    client = api_as(None if actor == "anonymous" else actor)
    target = make_target(resource, client.user)
    model = MODELS[resource]
    before = database_state(model)

    # when
    response = send(client, resource, operation, target)

    # then
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert database_state(model) == before
    if expected == 401:
        assert response["WWW-Authenticate"] == "Token"
    if expected == 200 and operation == "list":
        assert [row["id"] for row in response.json()["results"]].count(target.pk) == 1
    if expected == 200 and operation == "retrieve":
        assert response.json()["id"] == target.pk
    if expected == 201:
        assert model.objects.count() == len(before["rows"]) + 1
        created = model.objects.get(pk=response.json()["id"])
        field = "username" if resource == "users" else "name"
        assert getattr(created, field) == CREATE[resource][field]
    if expected == 200 and operation == "update":
        field, value = UPDATE[resource]
        target.refresh_from_db()
        assert getattr(target, field) == value
        assert response.json()[field] == value
    if expected == 204:
        assert not model.objects.filter(pk=target.pk).exists()
        assert model.objects.count() == len(before["rows"]) - 1


def test_every_department_is_in_the_matrix():
    # The matrix must grow with the departments table: a new department needs its own column.
    assert [g for g in ACTORS if g != "anonymous"] == [
        "warehouse",
        "purchasing",
        "sales",
        "finance",
        "customer_service",
        "management",
        "it_admin",
    ]


@pytest.mark.django_db
def test_the_matrix_columns_are_the_department_groups():
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(ACTORS[:-1])


# --- customer scope: a salesperson works only with their own customers -------------------


@pytest.fixture
def three_customers(make_user):
    """A salesperson's own customer, another salesperson's and an unassigned one."""

    def make(salesperson):
        other = make_user("sales")
        return {
            "own": CustomerFactory(code="C-OWN", salesperson=salesperson),
            "other": CustomerFactory(code="C-OTHER", salesperson=other),
            "unassigned": CustomerFactory(code="C-NONE", salesperson=None),
            "other_user": other,
        }

    return make


def test_salesperson_lists_only_their_own_customers(api_as, three_customers):
    client = api_as("sales")
    customers = three_customers(client.user)

    response = client.get("/api/v1/customers/")

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert [row["code"] for row in response.json()["results"]] == ["C-OWN"]
    assert response.json()["results"][0]["salesperson"] == client.user.pk
    assert customers["own"].pk == response.json()["results"][0]["id"]


def test_salesperson_filtering_by_another_salesperson_finds_nothing(api_as, three_customers):
    client = api_as("sales")
    customers = three_customers(client.user)

    response = client.get("/api/v1/customers/", {"salesperson": customers["other_user"].pk})

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("whose", ["other", "unassigned"])
@pytest.mark.parametrize("operation", ["retrieve", "update", "delete"])
def test_salesperson_gets_404_for_a_customer_not_their_own(api_as, three_customers, whose, operation):
    # given
    client = api_as("sales")
    customer = three_customers(client.user)[whose]
    before = database_state(Customer)

    # when
    response = send(client, "customers", operation, customer)

    # then
    assert response.status_code == 404
    assert database_state(Customer) == before


def test_salesperson_creating_a_customer_becomes_its_salesperson(api_as):
    client = api_as("sales")

    response = client.post("/api/v1/customers/", {"code": "C-MINE", "name": "我的客户"}, format="json")

    assert response.status_code == 201
    assert response.json()["salesperson"] == client.user.pk
    assert Customer.objects.get(code="C-MINE").salesperson == client.user


def test_salesperson_cannot_create_a_customer_for_someone_else(api_as, make_user):
    client = api_as("sales")
    colleague = make_user("sales")

    response = client.post(
        "/api/v1/customers/", {"code": "C-GIFT", "name": "送人的客户", "salesperson": colleague.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"salesperson": ["You can only assign customers to yourself."]}
    assert Customer.objects.count() == 0


def test_salesperson_cannot_hand_their_customer_to_someone_else(api_as, three_customers):
    client = api_as("sales")
    customers = three_customers(client.user)
    before = database_state(Customer)

    response = client.patch(
        f"/api/v1/customers/{customers['own'].pk}/", {"salesperson": customers["other_user"].pk}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["salesperson"]
    assert database_state(Customer) == before


@pytest.mark.parametrize("department", ["warehouse", "finance", "customer_service", "management"])
def test_departments_that_see_all_customers_list_every_customer(api_as, make_user, department):
    client = api_as(department)
    salesperson = make_user("sales")
    CustomerFactory(code="C-A", salesperson=salesperson)
    CustomerFactory(code="C-B", salesperson=None)
    CustomerFactory(code="C-C", salesperson=make_user("sales"))

    response = client.get("/api/v1/customers/")

    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["C-A", "C-B", "C-C"]


def test_management_may_assign_a_customer_to_any_salesperson(api_as, make_user):
    client = api_as("management")
    salesperson = make_user("sales")

    response = client.post(
        "/api/v1/customers/", {"code": "C-ASSIGN", "name": "分配客户", "salesperson": salesperson.pk}, format="json"
    )

    assert response.status_code == 201
    assert Customer.objects.get(code="C-ASSIGN").salesperson == salesperson
