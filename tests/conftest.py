"""Shared fixtures. Tests run against PostgreSQL (the README's test command sets DATABASE_URL)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.departments import DEPARTMENTS

from .factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path_factory):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"
    # Uploaded imports and report files of a test go to a temporary directory, never var/media.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True, scope="session")
def _celery_inline():
    """Tasks run inline in tests, except where a test starts a real worker (tests/core/test_celery.py)."""
    from jxc.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture
def make_user(db):
    """``make_user("warehouse", warehouses=[wh])`` -> a user in that department."""

    def make(*departments, **kwargs):
        return UserFactory(departments=list(departments), **kwargs)

    return make


@pytest.fixture
def api_as(make_user):
    """``api_as("purchasing")`` -> an APIClient authenticated as a new user of that department
    (``api_as(None)`` is anonymous). The user is ``client.user``."""

    def make(*departments, **kwargs):
        client = APIClient()
        client.user = None
        if departments and departments[0] is not None:
            client.user = make_user(*departments, **kwargs)
            client.force_authenticate(client.user)
        return client

    return make


ALL_DEPARTMENTS = list(DEPARTMENTS)


def _restore_migrated_data():
    """What the data migrations put in the database. A ``transaction=True`` test (and every
    test on the browsers' live server) ends by emptying all tables; Django recreates content
    types and permissions, but not this."""
    from apps.accounts.departments import sync_departments
    from apps.finance.chart import seed_chart
    from apps.finance.seed import seed_default_cash_account

    sync_departments()
    seed_default_cash_account()
    seed_chart()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """With ``--reuse-db`` the last run may have ended on a flush: start every run with the
    migrated data in place."""
    with django_db_blocker.unblock():
        _restore_migrated_data()


@pytest.fixture(autouse=True)
def _migrated_data_after_flush(request):
    """Before each transactional test, put back what an earlier one's flush removed."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", bool(marker.args and marker.args[0]))
    if transactional or {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
        _restore_migrated_data()


@pytest.fixture
def session_as(make_user):
    """``session_as("purchasing")`` -> an APIClient logged in through a real session (the
    middleware sees the user, unlike ``force_authenticate``). The user is ``client.user``."""

    def make(*departments, **kwargs):
        client = APIClient()
        client.user = make_user(*departments, **kwargs)
        client.force_login(client.user)
        return client

    return make


@pytest.fixture
def token_as(make_user):
    """``token_as("purchasing")`` -> an APIClient sending ``Authorization: Token <key>``."""
    from rest_framework.authtoken.models import Token

    def make(*departments, **kwargs):
        client = APIClient()
        client.user = make_user(*departments, **kwargs)
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=client.user).key}")
        return client

    return make


@pytest.fixture(autouse=True)
def _lazy_static_files(settings):
    """Every test client loads the middleware again, and WhiteNoise would walk all static
    directories each time (~50 ms per client). Autorefresh looks files up on request instead."""
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def client_as(make_user):
    """``client_as("purchasing")`` -> a Django test Client logged in as a new user of that
    department (``client_as(None)`` is anonymous). The user is ``client.user``."""

    def make(*departments, **kwargs):
        client = Client()
        client.user = None
        if departments and departments[0] is not None:
            client.user = make_user(*departments, **kwargs)
            client.force_login(client.user)
        return client

    return make
