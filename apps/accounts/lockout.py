"""What a locked-out login attempt gets (django-axes' ``AXES_LOCKOUT_CALLABLE``).

Axes replaces the response of any request that hit the lockout. The API must keep answering
JSON (429 ``{"code": "locked_out", "detail"}``); the login page and the admin get the
lockout page, with the context axes itself would give it.
"""

from axes.helpers import get_client_username, get_cool_off, get_cool_off_iso8601, get_failure_limit
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

LOCKED_OUT = "locked_out"


def api_lockout_response() -> JsonResponse:
    return JsonResponse(
        {"code": LOCKED_OUT, "detail": _("Too many failed logins. Try again later.")},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return api_lockout_response()
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
    }
    cool_off = get_cool_off(request)
    if cool_off:
        context.update({"cooloff_time": get_cool_off_iso8601(cool_off), "cooloff_timedelta": cool_off})
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)
