"""Fixtures of the general-ledger API tests: a company (tests/books/support.py) whose
business is written through the services, and an API client per department."""

import pytest

from tests.books import support


@pytest.fixture
def world(make_user):
    """A warehouse, a product at 13% VAT bought at 20.00, a supplier, a customer and bank
    account B01 (工商银行) opened with 50,000.00 on 2026-11-01."""
    return support.company(make_user)


@pytest.fixture
def finance(api_as):
    return api_as("finance")


@pytest.fixture
def manager(api_as):
    return api_as("management")
