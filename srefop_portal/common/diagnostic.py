"""A staff diagnostic job: proves that a Celery worker runs jobs end to end (database, storage, e-mail)."""

import time

from django.db import connection

from .jobs import JobOutput, register_job_kind


@register_job_kind("common.diagnostic", label="Diagnostic des tâches de fond", notify=False)
def run_diagnostic(job, progress):
    seconds = min(float(job.params.get("seconds", 0)), 60)
    steps = max(1, int(seconds * 2))
    for step in range(steps):
        progress(int(100 * step / steps), f"Étape {step + 1} sur {steps}")
        if seconds:
            time.sleep(seconds / steps)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    content = f"Diagnostic réussi (base : {connection.vendor}, tentative {job.attempts}).\n".encode()
    return JobOutput(
        filename="diagnostic.txt", content=content, content_type="text/plain", message="Worker opérationnel."
    )
