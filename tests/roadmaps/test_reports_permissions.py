"""Permission matrix of the progress reports: request pages, job pages and downloads × every role.

Reports of the Clefop of Nantes: its co-chairs, members (observers included), animateur, the Cdefop 44, the Crefop
and staff. A member of another territory (other_member, Angers) and a user without a seat get 404.
"""

import pytest

from roadmaps.models import RoadmapStatus
from roadmaps.reports import BUNDLE_KIND
from srefop_portal.common.models import Job
from tests.clefop.factories import clefop
from tests.matrix import check, expand

from .factories import roadmap_with
from .report_fixtures import done_report_job

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "user", "member", "observer", "animateur", "cochair", "other_member", "cdefop", "crefop", "staff"]


def only(*allowed, ok=200):
    return {role: (ok if role in allowed else 302 if role == "anonymous" else 404) for role in ROLES}


REPORT = only("member", "observer", "animateur", "cochair", "cdefop", "crefop", "staff")
REGION = only("crefop", "staff")


def report_job():
    return Job.objects.filter(params__body=clefop().pk).first() or done_report_job()


def bundle_job():
    job = Job.objects.filter(kind=BUNDLE_KIND).first()
    if job is None:
        job = done_report_job()
        job.kind = BUNDLE_KIND
        job.params = {"bodies": [clefop().pk]}
        job.save()
    return job


CASES = [
    ("roadmaps:territory_report", lambda: {"slug": clefop().slug}, REPORT),
    ("common:job_detail", lambda: {"uuid": report_job().uuid}, REPORT),
    ("common:job_download", lambda: {"uuid": report_job().uuid}, REPORT),
    ("roadmaps:regional_reports", {}, REGION),
    ("common:job_detail", lambda: {"uuid": bundle_job().uuid}, REGION),
    ("common:job_download", lambda: {"uuid": bundle_job().uuid}, REGION),
]


@pytest.mark.parametrize(("url_name", "kwargs", "role", "expected"), expand(CASES))
def test_matrix(client_for, url_name, kwargs, role, expected):
    response = check(client_for, url_name, kwargs, role, expected)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("role", "expected"),
    only("member", "observer", "animateur", "cochair", "cdefop", "crefop", "staff", ok=302).items(),
)
def test_request_a_report(client_for, django_capture_on_commit_callbacks, role, expected, monkeypatch):
    """POST: allowed roles start a job (redirect to its page), others get 404 and nothing is created."""
    monkeypatch.setattr("roadmaps.reports.render.html_to_pdf", lambda *args, **kwargs: b"%PDF-1.7 test")
    roadmap_with(status=RoadmapStatus.ADOPTED, actions=1)
    from django.urls import reverse

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(role).post(reverse("roadmaps:territory_report", args=[clefop().slug]))
    assert response.status_code == expected
    if expected == 302 and role != "anonymous":
        job = Job.objects.get()
        assert response["Location"] == job.get_absolute_url() and job.status == Job.Status.DONE
    elif role != "anonymous":
        assert not Job.objects.exists()


@pytest.mark.parametrize("role", ["other_member", "user", "cdefop", "member"])
def test_bundle_request_refused_outside_the_region(client_for, role):
    from django.urls import reverse

    roadmap_with(status=RoadmapStatus.ADOPTED, actions=1)
    assert client_for(role).post(reverse("roadmaps:regional_reports")).status_code == 404
    assert not Job.objects.exists()
