import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srefop_portal.settings.dev")

app = Celery("srefop_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def resume_interrupted_jobs(sender=None, **kwargs):
    """A worker coming back (e.g. after SIGKILL) resumes the jobs its predecessor left « en cours »."""
    from srefop_portal.common import jobs

    try:
        jobs.resume_after_worker_start()
    except Exception:  # noqa: BLE001 — never prevent the worker from starting; beat checks every 30 s
        import logging

        logging.getLogger(__name__).warning("Reprise des tâches interrompues impossible", exc_info=True)
