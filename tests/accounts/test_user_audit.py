"""Changes to people are audited: departments, warehouse scope; logging in is not a change."""

from django.test import Client
from guardian.models import UserObjectPermission
from simple_history.utils import get_history_model_for_model

from apps.accounts.models import User
from tests.factories import UserFactory, WarehouseFactory

HistoricalScope = get_history_model_for_model(UserObjectPermission)


def test_changing_departments_is_recorded_with_who_did_it(session_as):
    it = session_as("it_admin")
    clerk = UserFactory(username="clerk", departments=["warehouse"])

    response = it.patch(f"/api/v1/users/{clerk.pk}/", {"departments": ["warehouse", "purchasing"]}, format="json")

    assert response.status_code == 200
    latest = clerk.history.latest()
    assert latest.history_user == it.user
    assert sorted(row.group.name for row in latest.groups.all()) == ["purchasing", "warehouse"]
    before = clerk.history.filter(history_date__lt=latest.history_date).first()
    assert [c.field for c in latest.diff_against(before).changes] == ["groups"]


def test_assigning_and_removing_warehouses_is_recorded(session_as):
    it = session_as("it_admin")
    sh, sz = WarehouseFactory(code="SH01"), WarehouseFactory(code="SZ01")
    clerk = UserFactory(username="clerk", departments=["warehouse"], warehouses=[sh])

    response = it.patch(f"/api/v1/users/{clerk.pk}/", {"warehouses": [sz.pk]}, format="json")

    assert response.status_code == 200
    rows = HistoricalScope.objects.filter(user=clerk, history_user=it.user).order_by("history_id")
    assert [(r.history_type, r.object_pk) for r in rows] == [("-", str(sh.pk)), ("+", str(sz.pk))]


def test_logging_in_adds_no_history_entry(db):
    UserFactory(username="clerk", departments=["warehouse"])
    user = User.objects.get(username="clerk")
    entries = user.history.count()

    client = Client()
    response = client.post("/login/", {"username": "clerk", "password": "pw-Secret-123"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_login is not None
    assert user.history.count() == entries


def test_the_audit_page_shows_a_department_change(session_as, client_as):
    it = session_as("it_admin")
    clerk = UserFactory(username="clerk", full_name="王仓管", departments=["warehouse"])
    it.patch(f"/api/v1/users/{clerk.pk}/", {"departments": ["sales"]}, format="json")

    page = client_as("management").get("/audit/")

    assert page.status_code == 200
    assert "王仓管" in page.content.decode()
