"""Shared fixtures. Tests run against PostgreSQL (the README's test command sets DATABASE_URL)."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.departments import DEPARTMENTS

from .factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"


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
