"""The admin lists report runs read-only; deleting one there deletes its file too. A run whose
file is gone downloads as 404, not 500."""

import datetime
import os

import pytest
from rest_framework.test import APIClient

from apps.reports import runs
from apps.reports.models import ReportRun
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_list_read_only_and_delete_removes_the_file(client, settings):
    admin_user = UserFactory(is_superuser=True, is_staff=True)
    run = runs.report_run_scheduled(task="reports.daily_stock_summary", today=datetime.date(2026, 12, 1))
    path = run.file.path
    client.force_login(admin_user)

    page = client.get("/admin/reports/reportrun/")
    assert page.status_code == 200 and run.description in page.content.decode()
    assert client.get("/admin/reports/reportrun/add/").status_code == 403

    response = client.post(
        "/admin/reports/reportrun/", {"action": "delete_selected", "_selected_action": [run.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not ReportRun.objects.exists()
    assert not os.path.exists(path)


def test_a_missing_file_is_404_not_500(client, make_user):
    run = runs.report_run_scheduled(task="reports.daily_stock_summary", today=datetime.date(2026, 12, 1))
    os.remove(run.file.path)
    finance = make_user("finance")
    reader = APIClient()
    reader.force_authenticate(finance)
    response = reader.get(f"/api/v1/report-runs/{run.pk}/download/")
    assert response.status_code == 404
    assert "missing" in response.json()["detail"]
    client.force_login(finance)
    assert client.get(f"/reports/runs/{run.pk}/download/").status_code == 404
