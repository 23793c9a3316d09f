"""The Celery app. Broker and backend come from REDIS_URL (see settings); without it tasks run inline."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxc.settings")

app = Celery("jxc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
