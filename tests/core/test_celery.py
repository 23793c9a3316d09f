"""The Celery app reaches the real Redis of the test command (REDIS_URL) and a real worker runs tasks."""

import os

import pytest
from celery.contrib.testing.worker import start_worker

from apps.core.tasks import ping
from jxc.celery import app


def test_tasks_run_inline_unless_a_worker_is_asked_for():
    assert app.conf.task_always_eager is True  # tests/conftest.py
    assert ping.delay().get(timeout=1) == "pong"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the test command's REDIS_URL")
def test_a_real_worker_answers_through_redis():
    broker = os.environ["REDIS_URL"]
    assert app.conf.broker_url == broker
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = ping.apply_async()
            assert result.get(timeout=20) == "pong"
    finally:
        app.conf.task_always_eager = True
