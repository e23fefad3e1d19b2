"""Starting report jobs and deciding who may follow them (the job pages of srefop_portal.common check ``can_view``)."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from clefop.models import Body, BodyKind
from srefop_portal.common import versions
from srefop_portal.common.forms import DomainError
from srefop_portal.common.jobs import start_job
from srefop_portal.common.models import Job

from . import BUNDLE_KIND, TERRITORY_KIND
from .bundle import bundle_bodies, start_regional_bundle
from .data import collect, fingerprint


class ReportError(DomainError):
    """A report cannot be requested (French message shown to the user)."""


def can_view_territory_report(user, job: Job) -> bool:
    """The Clefop's co-chairs and members (observers included), its Cdefop, the Crefop, staff.

    Browsers poll a report's progress every second or two: the Clefop is read from the cache until the bodies or
    the territories change (the permission itself is checked at each request, for this user)."""
    body_pk = job.params.get("body")

    def build():
        body = Body.objects.filter(pk=body_pk, kind=BodyKind.CLEFOP).select_related("territory").first()
        return body or False

    body = versions.cached("roadmaps:report-body", apps=("clefop", "territories"), vary=(str(body_pk),), build=build)
    return bool(body) and user.is_authenticated and user.has_perm("roadmaps.download_report", body)


def can_view_regional_bundle(user, job: Job) -> bool:
    return user.is_authenticated and user.has_perm("roadmaps.download_regional_bundle")


def territory_reports(body: Body):
    return Job.objects.filter(kind=TERRITORY_KIND, params__body=body.pk).select_related("requester")


def regional_bundles():
    return Job.objects.filter(kind=BUNDLE_KIND).select_related("requester")


@transaction.atomic
def request_territory_report(*, body: Body, user, monthly: bool = False) -> Job:
    """The report of a Clefop: an identical finished (or running) report is returned at once, else a new job."""
    if body.kind != BodyKind.CLEFOP or body.territory_id is None:
        raise ReportError("Le rapport d’avancement concerne un Clefop (une instance de territoire).")
    data = collect(body)
    digest = fingerprint(data)
    if monthly:
        # The monthly sending has its own job each month (it e-mails the co-chairs); a second run of the beat task in
        # the same month finds that job and sends nothing more.
        digest = hashlib.sha256(f"mensuel:{timezone.localdate():%Y-%m}:{digest}".encode()).hexdigest()
    return start_job(
        kind=TERRITORY_KIND,
        params={"body": body.pk, "monthly": monthly},
        requester=user,
        fingerprint=digest,
    )


@transaction.atomic
def request_regional_bundle(*, user) -> Job:
    """All territory reports plus the regional synthesis, fanned out over the workers (see bundle.py).

    Cheap for the request: a bundle already under way is returned; otherwise a job is created and the fan-out task
    compares the data with the last bundle (an identical one is served again without rendering anything)."""
    bodies = bundle_bodies()
    if not bodies:
        raise ReportError("Aucun territoire n’a encore de feuille de route : il n’y a pas de rapport à produire.")
    under_way = regional_bundles().filter(status__in=[Job.Status.PENDING, Job.Status.RUNNING]).first()
    if under_way is not None:
        return under_way
    job = Job.objects.create(kind=BUNDLE_KIND, params={"bodies": [b.pk for b in bodies]}, requester=user)
    transaction.on_commit(lambda: start_regional_bundle.delay(job.pk))
    return job


def cochair_emails(body: Body) -> list[str]:
    from clefop.models import Membership, Position

    return sorted(
        set(
            Membership.objects.active()
            .filter(body=body, position=Position.COCHAIR, user__is_active=True)
            .values_list("user__email", flat=True)
        )
    )


def email_report_to_cochairs(*, body: Body, job: Job) -> int:
    """The monthly report: an e-mail to each active co-chair of the Clefop with a link to the report's page, where
    the download checks the reader's rights (no attachment: a report can exceed what mail servers accept)."""
    from django.conf import settings
    from django.template.loader import render_to_string

    from srefop_portal.common import notifications

    emails = cochair_emails(body)
    if not emails:
        return 0
    territory = getattr(body, "territory", None)
    context = {
        "body": body,
        "territory": territory,
        "url": notifications.absolute_url(job.get_absolute_url()),
        "today": timezone.localdate(),
        "retention_days": settings.SREFOP_EXPORT_RETENTION_DAYS,
    }
    where = f"{body.name} (territoire EFOP {territory.name})" if territory else body.name
    text = render_to_string("roadmaps/emails/monthly_report.txt", context)
    for email in emails:  # one message each: co-chairs do not see each other's addresses
        notifications.queue_mail(
            to=[email], subject=f"Rapport d’avancement mensuel — {where}", body=text, kind="roadmaps.monthly_report"
        )
    return len(emails)
