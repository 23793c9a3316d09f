"""Celery task of the Excel import: a thin wrapper around ``services.import_job_run``."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils.translation import gettext as _

from .services import import_job_fail, import_job_run


@shared_task(name="imports.run_import_job", time_limit=30 * 60, soft_time_limit=29 * 60, acks_late=True)
def run_import_job(job_id: int) -> str:
    """Run a queued import. Safe to deliver twice: only a pending job is run."""
    try:
        return import_job_run(job_id=job_id).status
    except SoftTimeLimitExceeded:
        import_job_fail(job_id=job_id, message=_("The import took too long and was stopped: nothing was imported."))
        raise
