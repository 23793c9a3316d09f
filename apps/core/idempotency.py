"""``Idempotency-Key`` on API POSTs (API.md, "Conventions").

A repeat of a POST with the same key by the same user gets the first response again and
changes nothing. The key is claimed before the view runs (a row backed by a unique
constraint), so two concurrent repeats cannot both execute: the second one gets 409
``idempotency_in_progress`` until the first finishes. A 5xx response releases the key so the
client may retry. Reusing a key for a different request is refused with 409.
"""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER, "").strip()
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        user = _request_user(request)
        if user is None:
            return self.get_response(request)
        if len(key) > 255:
            return JsonResponse({HEADER: [_("Must be at most 255 characters.")]}, status=400)

        fingerprint = hashlib.sha256(request.get_full_path().encode() + b"\0" + request.body).hexdigest()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(user=user, key=key, request_fingerprint=fingerprint)
        except IntegrityError:
            return _replay(user, key, fingerprint)

        response = self.get_response(request)
        if response.status_code >= 500 or getattr(response, "streaming", False):
            record.delete()
            return response
        record.status_code = response.status_code
        record.content_type = response.get("Content-Type", "")
        record.body = bytes(response.content)
        record.save(update_fields=["status_code", "content_type", "body"])
        return response


def _replay(user, key, fingerprint):
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is None or record.status_code is None:
        return _conflict("idempotency_in_progress", _("A request with this Idempotency-Key is still being processed."))
    if record.request_fingerprint != fingerprint:
        return _conflict("idempotency_key_reused", _("This Idempotency-Key was already used for a different request."))
    response = HttpResponse(bytes(record.body), status=record.status_code, content_type=record.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def _conflict(code, detail):
    return HttpResponse(
        json.dumps({"code": code, "detail": detail}, ensure_ascii=False),
        status=409,
        content_type="application/json",
    )


def _request_user(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    auth = request.headers.get("Authorization", "").split()
    if len(auth) == 2 and auth[0].lower() == "token":
        token = Token.objects.select_related("user").filter(key=auth[1]).first()
        if token and token.user.is_active:
            return token.user
    return None
