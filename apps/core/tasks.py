from celery import shared_task

from apps.core.backup import BackupTransientError, backup_create


@shared_task(name="core.ping")
def ping() -> str:
    """Health check: a worker that answers "pong" is connected to the broker."""
    return "pong"


@shared_task(
    name="core.backup",
    autoretry_for=(BackupTransientError,),
    retry_backoff=60,
    retry_backoff_max=15 * 60,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=55 * 60,
    time_limit=60 * 60,
)
def backup(directory: str | None = None, keep: int | None = None) -> dict:
    """The nightly backup (apps/core/backup.py): one file in JXC_BACKUP_DIR, the newest
    JXC_BACKUP_KEEP kept. Retries when the database did not answer; other failures (pg_dump
    missing, directory not writable) fail at once with the reason in the task's result."""
    result = backup_create(directory=directory, keep=keep)
    return {
        "path": str(result.path),
        "size": result.size,
        "database": result.database,
        "seconds": result.seconds,
        "deleted": [path.name for path in result.deleted],
    }
