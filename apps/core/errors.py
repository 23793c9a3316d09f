"""One error type for business refusals and the one place that maps errors to HTTP.

A service raises ``BusinessError(code, detail)`` when the request is valid but the business
state refuses it (not enough stock, wrong status, credit limit...). The API answers
409 ``{"code", "detail"}``; the HTML layer shows ``detail`` as a form message.
"""

from __future__ import annotations

import logging

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class BusinessError(Exception):
    """A refusal by the business rules. ``code`` is one of the contract's codes (API.md)."""

    INSUFFICIENT_STOCK = "insufficient_stock"
    INVALID_STATE = "invalid_state"
    CREDIT_LIMIT_EXCEEDED = "credit_limit_exceeded"
    PERIOD_CLOSED = "period_closed"
    OVER_RECEIPT = "over_receipt"
    OVER_DELIVERY = "over_delivery"
    OVER_RETURN = "over_return"
    OVER_ALLOCATION = "over_allocation"
    SELF_APPROVAL = "self_approval"
    IN_USE = "in_use"
    DUPLICATE = "duplicate"
    IDEMPOTENCY_IN_PROGRESS = "idempotency_in_progress"

    def __init__(self, code: str, detail: str, **extra):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = str(detail)
        self.extra = extra

    def as_dict(self) -> dict:
        return {"code": self.code, "detail": self.detail, **self.extra}


def exception_handler(exc, context):
    """DRF exception handler: BusinessError -> 409, Django validation -> 400, never a bare 500
    for input the client controls."""
    if isinstance(exc, BusinessError):
        return Response(exc.as_dict(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=_validation_detail(exc))
    elif isinstance(exc, ParseError):
        # A body that is not JSON is invalid input like any other: 400 {"field": [...]}.
        exc = ValidationError(detail={api_settings.NON_FIELD_ERRORS_KEY: [exc.detail]})
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        return Response(
            {"code": BusinessError.IN_USE, "detail": _("This record is used by other records and cannot be deleted.")},
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, IntegrityError):
        # A unique constraint lost a race that the serializer's check could not see.
        logger.info("integrity error mapped to 409: %s", exc)
        return Response(
            {"code": BusinessError.DUPLICATE, "detail": _("The record conflicts with an existing one.")},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)


def _validation_detail(exc: DjangoValidationError):
    """Django's error dict in the API's shape; Django's ``__all__`` becomes DRF's
    ``non_field_errors`` so clients see one key for errors that belong to no single field."""
    if hasattr(exc, "error_dict"):
        return {
            api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: [
                str(m) for e in errors for m in e.messages
            ]
            for field, errors in exc.error_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: [str(m) for m in exc.messages]}
