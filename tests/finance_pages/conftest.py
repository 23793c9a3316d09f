"""What the finance page tests share: the November 2026 of tests/books (a bank account opened
with 50,000.00, a receipt, a delivery and its return, a count loss, a payment, a receipt from
the customer, rent paid), and helpers to read a page's text and messages."""

import re

import pytest

from tests.books.support import november_of_business


def text(response) -> str:
    """The page's text without tags, whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def messages_of(response) -> list[str]:
    return [
        re.sub(r"\s+", " ", m).strip()
        for m in re.findall(r'<li class="msg msg-\w+">(.*?)</li>', response.content.decode(), re.S)
    ]


@pytest.fixture
def november(make_user):
    """The month of tests/books/test_month_of_business.py, booked by its documents."""
    return november_of_business(make_user)
