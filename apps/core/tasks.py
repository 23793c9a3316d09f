from celery import shared_task


@shared_task(name="core.ping")
def ping() -> str:
    """Health check: a worker that answers "pong" is connected to the broker."""
    return "pong"
