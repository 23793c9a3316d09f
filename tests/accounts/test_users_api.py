"""The users API (IT admin only) and /api/v1/me/."""

import pytest
from guardian.models import UserObjectPermission
from guardian.shortcuts import get_perms
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.models import User
from tests.factories import UserFactory, WarehouseFactory

STRONG = "Kv8#wQ2-zLm"


def departments_of(user):
    return sorted(user.groups.values_list("name", flat=True))


def warehouse_ids_of(user):
    """Warehouses the user holds the guardian ``operate_warehouse`` permission on."""
    return sorted(
        int(pk)
        for pk in UserObjectPermission.objects.filter(user=user, permission__codename="operate_warehouse").values_list(
            "object_pk", flat=True
        )
    )


def users_state():
    return {
        "users": list(User.objects.order_by("pk").values()),
        "groups": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        "object_perms": sorted(UserObjectPermission.objects.values_list("user_id", "permission_id", "object_pk")),
    }


@pytest.fixture
def warehouses(db):
    return [WarehouseFactory(code=f"WH-{i}") for i in range(1, 4)]


def test_it_admin_creates_a_user_with_departments_and_warehouses(api_as, warehouses):
    # given
    client = api_as("it_admin")
    first, _second, third = warehouses

    # when
    response = client.post(
        "/api/v1/users/",
        {
            "username": "wang",
            "password": STRONG,
            "full_name": "王小明",
            "email": "wang@example.com",
            "departments": ["warehouse", "purchasing"],
            "warehouses": [third.pk, first.pk],
        },
        format="json",
    )

    # then
    assert response.status_code == 201
    user = User.objects.get(username="wang")
    assert response.json() == {
        "id": user.pk,
        "username": "wang",
        "full_name": "王小明",
        "email": "wang@example.com",
        "is_active": True,
        "departments": ["purchasing", "warehouse"],
        "warehouses": [first.pk, third.pk],
    }
    assert departments_of(user) == ["purchasing", "warehouse"]
    assert warehouse_ids_of(user) == [first.pk, third.pk]
    assert get_perms(user, first) == ["operate_warehouse"]
    assert get_perms(user, warehouses[1]) == []
    assert user.check_password(STRONG)
    assert user.is_staff is False


def test_an_it_admin_user_gets_the_django_admin(api_as):
    response = api_as("it_admin").post(
        "/api/v1/users/", {"username": "it2", "password": STRONG, "departments": ["it_admin"]}, format="json"
    )

    assert response.status_code == 201
    assert User.objects.get(username="it2").is_staff is True


def test_a_user_may_be_created_without_departments(api_as):
    response = api_as("it_admin").post("/api/v1/users/", {"username": "newbie", "password": STRONG}, format="json")

    assert response.status_code == 201
    assert response.json()["departments"] == []
    assert response.json()["warehouses"] == []
    assert departments_of(User.objects.get(username="newbie")) == []


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        ("12345678", ["This password is too common.", "This password is entirely numeric."]),
        ("Ab1!", ["This password is too short. It must contain at least 8 characters."]),
        ("newbie-newbie", ["The password is too similar to the username."]),
    ],
)
def test_a_weak_password_is_400_and_creates_nothing(api_as, password, messages):
    client = api_as("it_admin")
    before = users_state()

    response = client.post(
        "/api/v1/users/", {"username": "newbie-newbie", "password": password, "departments": ["sales"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"password": messages}
    assert users_state() == before


def test_a_missing_password_on_create_is_400(api_as):
    client = api_as("it_admin")
    before = users_state()

    response = client.post("/api/v1/users/", {"username": "newbie", "departments": ["sales"]}, format="json")

    assert response.status_code == 400
    assert response.json() == {"password": ["This field is required."]}
    assert users_state() == before


def test_an_unknown_department_is_400(api_as):
    client = api_as("it_admin")
    before = users_state()

    response = client.post(
        "/api/v1/users/",
        {"username": "newbie", "password": STRONG, "departments": ["sales", "marketing"]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"departments": {"1": ['"marketing" is not a valid choice.']}}
    assert users_state() == before


def test_update_replaces_departments_and_warehouses(api_as, warehouses):
    # given
    first, second, third = warehouses
    user = UserFactory(username="li", departments=["warehouse", "sales"], warehouses=[first, second])
    client = api_as("it_admin")

    # when
    response = client.patch(
        f"/api/v1/users/{user.pk}/", {"departments": ["finance"], "warehouses": [third.pk]}, format="json"
    )

    # then
    assert response.status_code == 200
    assert response.json()["departments"] == ["finance"]
    assert response.json()["warehouses"] == [third.pk]
    assert departments_of(user) == ["finance"]
    assert warehouse_ids_of(user) == [third.pk]
    assert get_perms(user, first) == []


def test_empty_lists_remove_every_department_and_warehouse(api_as, warehouses):
    user = UserFactory(username="li", departments=["warehouse"], warehouses=warehouses)

    response = api_as("it_admin").patch(
        f"/api/v1/users/{user.pk}/", {"departments": [], "warehouses": []}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["departments"], response.json()["warehouses"]) == ([], [])
    assert departments_of(user) == []
    assert warehouse_ids_of(user) == []


def test_update_without_departments_or_warehouses_keeps_them(api_as, warehouses):
    user = UserFactory(username="li", departments=["warehouse"], warehouses=[warehouses[0]])

    response = api_as("it_admin").patch(f"/api/v1/users/{user.pk}/", {"full_name": "李雷"}, format="json")

    assert response.status_code == 200
    assert response.json()["full_name"] == "李雷"
    assert response.json()["departments"] == ["warehouse"]
    assert response.json()["warehouses"] == [warehouses[0].pk]
    assert departments_of(user) == ["warehouse"]


def test_removing_it_admin_takes_the_django_admin_away(api_as):
    user = UserFactory(username="it2", departments=["it_admin"])

    api_as("it_admin").patch(f"/api/v1/users/{user.pk}/", {"departments": ["sales"]}, format="json")

    user.refresh_from_db()
    assert user.is_staff is False


@pytest.mark.parametrize(
    ("change", "password_after"), [({"full_name": "李雷"}, "pw-Secret-123"), ({"password": STRONG}, STRONG)]
)
def test_update_changes_the_password_only_when_given(api_as, change, password_after):
    user = UserFactory(username="li")

    response = api_as("it_admin").patch(f"/api/v1/users/{user.pk}/", change, format="json")

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(password_after)


def test_a_weak_password_on_update_changes_nothing(api_as):
    user = UserFactory(username="li", departments=["sales"])
    client = api_as("it_admin")
    before = users_state()

    response = client.patch(
        f"/api/v1/users/{user.pk}/", {"password": "12345678", "full_name": "改名", "departments": ["finance"]}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["password"]
    assert users_state() == before


@pytest.mark.parametrize("method", ["get_list", "get_detail", "post", "patch", "put"])
def test_the_password_is_never_in_a_response(api_as, method):
    client = api_as("it_admin")
    user = UserFactory(username="li")
    if method == "get_list":
        response = client.get("/api/v1/users/")
        bodies = response.json()["results"]
    elif method == "get_detail":
        response = client.get(f"/api/v1/users/{user.pk}/")
        bodies = [response.json()]
    elif method == "post":
        response = client.post("/api/v1/users/", {"username": "new", "password": STRONG}, format="json")
        bodies = [response.json()]
    elif method == "patch":
        response = client.patch(f"/api/v1/users/{user.pk}/", {"password": STRONG}, format="json")
        bodies = [response.json()]
    else:
        response = client.put(f"/api/v1/users/{user.pk}/", {"username": "li", "password": STRONG}, format="json")
        bodies = [response.json()]

    assert response.status_code in (200, 201)
    for body in bodies:
        assert set(body) == {"id", "username", "full_name", "email", "is_active", "departments", "warehouses"}
    assert STRONG not in response.content.decode()
    assert "pbkdf2" not in response.content.decode() and "md5$" not in response.content.decode()


@pytest.mark.parametrize(
    "department", ["warehouse", "purchasing", "sales", "finance", "customer_service", "management"]
)
def test_only_it_admin_may_change_users(api_as, warehouses, department):
    client = api_as(department)
    user = UserFactory(username="li", departments=["sales"])
    before = users_state()

    responses = [
        client.post("/api/v1/users/", {"username": "x", "password": STRONG, "departments": ["it_admin"]}),
        client.patch(f"/api/v1/users/{user.pk}/", {"departments": ["it_admin"]}, format="json"),
        client.patch(f"/api/v1/users/{client.user.pk}/", {"departments": ["it_admin"]}, format="json"),
        client.put(f"/api/v1/users/{user.pk}/", {"username": "li", "is_active": False}, format="json"),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert users_state() == before


def test_it_admin_may_deactivate_a_user(api_as):
    user = UserFactory(username="li")

    response = api_as("it_admin").patch(f"/api/v1/users/{user.pk}/", {"is_active": False}, format="json")

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.is_active is False


def test_the_user_list_filters_by_department(api_as):
    UserFactory(username="a-sales", departments=["sales"])
    UserFactory(username="b-finance", departments=["finance"])
    client = api_as("it_admin")

    response = client.get("/api/v1/users/", {"groups__name": "sales"})

    assert [row["username"] for row in response.json()["results"]] == ["a-sales"]


# --- /api/v1/me/ ----------------------------------------------------------------------------


def test_me_for_a_clerk_lists_their_departments_assigned_warehouses_and_permissions(api_as, warehouses):
    first, _second, third = warehouses
    client = api_as("warehouse", username="clerk", full_name="仓管员", warehouses=[third, first])

    response = client.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json() == {
        "id": client.user.pk,
        "username": "clerk",
        "full_name": "仓管员",
        "departments": ["warehouse"],
        "warehouses": [first.pk, third.pk],
        "permissions": [
            "customers.view_customer",
            "customers.view_customercontact",
            "imports.import_data",
            "inventory.add_stockadjustment",
            "inventory.add_stockcount",
            "inventory.add_stocktransfer",
            "inventory.change_stockadjustment",
            "inventory.change_stockcount",
            "inventory.change_stocktransfer",
            "inventory.delete_stockadjustment",
            "inventory.delete_stockcount",
            "inventory.delete_stocktransfer",
            "inventory.post_stockadjustment",
            "inventory.post_stockcount",
            "inventory.post_stocktransfer",
            "inventory.view_category",
            "inventory.view_cost",
            "inventory.view_product",
            "inventory.view_stockadjustment",
            "inventory.view_stockbalance",
            "inventory.view_stockcount",
            "inventory.view_stockledgerentry",
            "inventory.view_stocktransfer",
            "inventory.view_unit",
            "inventory.view_warehouse",
            "purchasing.add_purchasereceipt",
            "purchasing.add_purchasereturn",
            "purchasing.change_purchasereceipt",
            "purchasing.change_purchasereturn",
            "purchasing.delete_purchasereceipt",
            "purchasing.delete_purchasereturn",
            "purchasing.post_purchasereceipt",
            "purchasing.post_purchasereturn",
            "purchasing.view_purchaseorder",
            "purchasing.view_purchasereceipt",
            "purchasing.view_purchasereturn",
            "sales.add_delivery",
            "sales.add_salesreturn",
            "sales.change_delivery",
            "sales.change_salesreturn",
            "sales.delete_delivery",
            "sales.delete_salesreturn",
            "sales.post_delivery",
            "sales.post_salesreturn",
            "sales.view_delivery",
            "sales.view_salesorder",
            "sales.view_salesreturn",
            "suppliers.view_supplier",
            "suppliers.view_supplierproduct",
        ],
    }


def test_me_for_management_lists_every_warehouse(api_as, warehouses):
    client = api_as("management")

    response = client.get("/api/v1/me/")

    assert response.json()["departments"] == ["management"]
    assert response.json()["warehouses"] == sorted(w.pk for w in warehouses)
    assert "inventory.add_warehouse" in response.json()["permissions"]
    assert "accounts.view_audit_trail" in response.json()["permissions"]
    assert "accounts.add_user" not in response.json()["permissions"]


def test_me_for_it_admin_lists_every_warehouse_and_the_user_permissions(api_as, warehouses):
    response = api_as("it_admin").get("/api/v1/me/")

    assert response.json()["warehouses"] == sorted(w.pk for w in warehouses)
    assert {"accounts.add_user", "accounts.change_user", "accounts.view_user"} <= set(response.json()["permissions"])


def test_me_for_a_clerk_without_warehouses_lists_none(api_as, warehouses):
    response = api_as("warehouse").get("/api/v1/me/")

    assert response.json()["warehouses"] == []


def test_me_for_several_departments(api_as):
    response = api_as("sales", "customer_service").get("/api/v1/me/")

    assert response.json()["departments"] == ["customer_service", "sales"]


def test_me_anonymous_is_401(api_as):
    response = api_as(None).get("/api/v1/me/")

    assert response.status_code == 401


# --- deactivated users ------------------------------------------------------------------------


def test_a_deactivated_user_cannot_get_a_token(make_user):
    user = make_user("sales", username="gone", is_active=False)

    response = APIClient().post("/api/v1/auth/token/", {"username": "gone", "password": "pw-Secret-123"})

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with the given username and password."]}
    assert not Token.objects.filter(user=user).exists()


def test_a_deactivated_users_old_token_stops_working(token_as):
    client = token_as("sales")
    assert client.get("/api/v1/me/").status_code == 200
    User.objects.filter(pk=client.user.pk).update(is_active=False)

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}
