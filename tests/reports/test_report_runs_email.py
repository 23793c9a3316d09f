"""The morning report by e-mail: a reader who chose e-mail for "report ready" gets the file
attached (up to JXC_EMAIL_ATTACHMENT_MAX_BYTES, else a link only), in the site's language."""

import datetime
import io

import pytest
from django.core import mail
from openpyxl import load_workbook

from apps.notifications.services import preference_set
from apps.reports import runs
from tests.reports.test_stock_summary import world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

DEC_1 = datetime.date(2026, 12, 1)


@pytest.fixture
def readers(make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.JXC_SITE_URL = "https://jxc.example.com"
    mailed = make_user("finance", email="cfo@example.com")
    in_app = make_user("finance", email="clerk@example.com")
    preference_set(user=mailed, kind="report_ready", in_app=True, email=True)
    return mailed, in_app


def test_the_file_goes_with_the_mail(world, readers, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.report_run_scheduled(task="reports.daily_stock_summary", today=DEC_1)
    assert run.status == "done"
    assert [m.to for m in mail.outbox] == [["cfo@example.com"]]
    message = mail.outbox[0]
    assert message.subject == "[JXC] Report ready: Stock summary, 2026-11-01 – 2026-11-30"
    assert message.body.endswith("https://jxc.example.com/reports/runs/")
    [(name, content, content_type)] = message.attachments
    assert name == run.file_name == f"stock-summary-2026-11-30-{run.pk}.xlsx"
    assert content_type.startswith("application/vnd.openxmlformats")
    with run.file.open("rb") as stored:
        assert content == stored.read()
    last = list(load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True))[-1]
    assert last[1] == "Total"


def test_a_large_file_is_linked_not_attached(world, readers, settings, django_capture_on_commit_callbacks):  # noqa: F811
    settings.JXC_EMAIL_ATTACHMENT_MAX_BYTES = 100
    with django_capture_on_commit_callbacks(execute=True):
        runs.report_run_scheduled(task="reports.daily_stock_summary", today=DEC_1)
    [message] = mail.outbox
    assert message.attachments == []
    assert "https://jxc.example.com/reports/runs/" in message.body
