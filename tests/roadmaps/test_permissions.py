"""Permission matrix: every URL of the roadmaps app × every role (tests/roles.py, tests/clefop/roles.py)."""

import datetime

import pytest
from django.core.files.base import ContentFile

from roadmaps.models import (
    ActionDocument,
    AmbitionSheet,
    AnnualReview,
    Challenge,
    Recommendation,
    Roadmap,
    RoadmapStatus,
    SubAction,
)
from tests.clefop.factories import clefop
from tests.matrix import check, expand

from .factories import RecommendationFactory, roadmap_with

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "user", "member", "observer", "animateur", "cochair", "other_member", "cdefop", "crefop", "staff"]


def only(*allowed, ok=200):
    return {role: (ok if role in allowed else 302 if role == "anonymous" else 404) for role in ROLES}


PUBLIC = dict.fromkeys(ROLES, 200)
READ = only("member", "observer", "animateur", "cochair", "cdefop", "crefop", "staff")
EDIT = only("member", "animateur", "cochair", "staff")
STEER = only("animateur", "cochair", "staff")
RUN = only("animateur", "staff")
ADOPT = only("cochair", "staff")
DASHBOARD = only("cdefop", "crefop", "staff")
REGION = only("crefop", "staff")
STAFF = only("staff")


def draft():
    roadmap = Roadmap.objects.filter(body=clefop(), start_year=2027).first()
    if roadmap is None:
        roadmap = roadmap_with(start_year=2027, end_year=2029, actions=1)
        action = roadmap.actions.get()
        action.title = "Titre modifié"
        action._history_user = None
        action.save()
        SubAction.objects.create(action=action, title="Sous-action")
        document = ActionDocument(
            action=action, title="Doc", original_name="doc.pdf", content_type="application/pdf", size=10
        )
        document.file.save("doc.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return roadmap


def adopted():
    roadmap = Roadmap.objects.filter(body=clefop(), status=RoadmapStatus.ADOPTED).first()
    if roadmap is None:
        roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, actions=1)
        AnnualReview.objects.create(roadmap=roadmap, date=datetime.date(2025, 1, 1), summary="Bilan")
        rec = RecommendationFactory(code="T-PERM")
        roadmap.actions.get().recommendations.add(rec)
    return roadmap


def r(**extra):
    return lambda: {"slug": clefop().slug, "pk": draft().pk, **extra}


def a(**extra):
    return lambda: {"slug": clefop().slug, "action_pk": draft().actions.get().pk, **extra}


CASES = [
    # Public
    ("roadmaps:recommendation_list", {}, PUBLIC),
    ("roadmaps:recommendation_detail", lambda: {"code": adopted() and "T-PERM"}, PUBLIC),
    ("roadmaps:public_list", {}, PUBLIC),
    ("roadmaps:public_detail", lambda: {"pk": adopted().pk}, PUBLIC),
    ("roadmaps:public_detail", lambda: {"pk": draft().pk}, dict.fromkeys(ROLES, 404)),
    ("roadmaps:open_data", {}, PUBLIC),
    ("roadmaps:open_data_csv", {}, PUBLIC),
    ("roadmaps:open_data_json", {}, PUBLIC),
    ("roadmaps:open_data_schema", {}, PUBLIC),
    # Workspace
    ("roadmaps:body_roadmaps", lambda: {"slug": clefop().slug}, READ),
    ("roadmaps:roadmap_create", lambda: {"slug": clefop().slug}, STEER),
    ("roadmaps:roadmap_detail", r(), READ),
    ("roadmaps:roadmap_edit", r(), EDIT),
    ("roadmaps:roadmap_transition", r(transition="submit"), RUN),
    ("roadmaps:roadmap_transition", r(transition="return"), STEER),
    ("roadmaps:roadmap_transition", r(transition="adopt"), ADOPT),
    ("roadmaps:roadmap_transition", r(transition="archive"), STEER),
    ("roadmaps:roadmap_transition", r(transition="revise"), STEER),
    ("roadmaps:roadmap_transition", r(transition="inconnue"), only()),
    ("roadmaps:roadmap_history", r(), READ),
    ("roadmaps:roadmap_export", r(fmt="csv"), READ),
    ("roadmaps:roadmap_export", r(fmt="xlsx"), READ),
    ("roadmaps:priority_create", r(), EDIT),
    (
        "roadmaps:priority_edit",
        lambda: {"slug": clefop().slug, "pk": draft().pk, "priority_pk": draft().priorities.get().pk},
        EDIT,
    ),
    (
        "roadmaps:priority_actions",
        lambda: {"slug": clefop().slug, "pk": draft().pk, "priority_pk": draft().priorities.get().pk},
        READ,
    ),
    ("roadmaps:action_create", r(), EDIT),
    ("roadmaps:review_create", lambda: {"slug": clefop().slug, "pk": adopted().pk}, STEER),
    (
        "roadmaps:review_detail",
        lambda: {"slug": clefop().slug, "pk": adopted().pk, "review_pk": adopted().reviews.get().pk},
        READ,
    ),
    ("roadmaps:action_detail", a(), READ),
    ("roadmaps:action_edit", a(), EDIT),
    ("roadmaps:action_status", a(), EDIT),
    ("roadmaps:action_history", a(), READ),
    (
        "roadmaps:action_document_download",
        lambda: {
            "slug": clefop().slug,
            "action_pk": draft().actions.get().pk,
            "document_pk": ActionDocument.objects.get().pk,
        },
        READ,
    ),
    # Dashboards
    ("roadmaps:dashboard", {}, DASHBOARD),
    ("roadmaps:dashboard_region", {}, REGION),
    ("roadmaps:dashboard_departement", {"code": "44"}, DASHBOARD),
    ("roadmaps:dashboard_departement", {"code": "49"}, REGION),
    ("roadmaps:coverage", {}, DASHBOARD),
    ("roadmaps:coverage_detail", lambda: {"code": adopted() and "T-PERM"}, DASHBOARD),
    # Staff
    ("roadmaps:referential", {}, STAFF),
    ("roadmaps:referential_create", {"kind": "enjeux"}, STAFF),
    ("roadmaps:referential_edit", lambda: {"kind": "fiches", "item_pk": AmbitionSheet.objects.first().pk}, STAFF),
    ("roadmaps:referential_edit", lambda: {"kind": "enjeux", "item_pk": Challenge.objects.first().pk}, STAFF),
    ("roadmaps:recommendation_import", {}, STAFF),
    ("roadmaps:import_template", {"fmt": "csv"}, STAFF),
    ("roadmaps:import_template", {"fmt": "xlsx"}, STAFF),
]

EDIT_ROLES = ["member", "animateur", "cochair", "staff"]
POST_CASES = [
    (
        "roadmaps:priority_delete",
        lambda: {"slug": clefop().slug, "pk": draft().pk, "priority_pk": draft().priorities.get().pk},
        only(*EDIT_ROLES, ok=302),
    ),
    ("roadmaps:action_delete", a(), only(*EDIT_ROLES, ok=302)),
    (
        "roadmaps:action_restore",
        lambda: {
            "slug": clefop().slug,
            "action_pk": draft().actions.get().pk,
            "history_id": draft().actions.get().history.earliest().history_id,
        },
        only("animateur", "staff", ok=302),
    ),
    ("roadmaps:action_item_add", a(kind="sous-action"), only(*EDIT_ROLES, ok=302)),
    (
        "roadmaps:action_item_change",
        lambda: {
            "slug": clefop().slug,
            "action_pk": draft().actions.get().pk,
            "kind": "sous-action",
            "item_pk": SubAction.objects.get().pk,
        },
        only(*EDIT_ROLES, ok=302),
    ),
    ("roadmaps:recommendation_import_confirm", {}, only("staff", ok=302)),
]


@pytest.mark.parametrize(("url_name", "kwargs", "role", "expected"), expand(CASES))
def test_matrix(client_for, url_name, kwargs, role, expected):
    response = check(client_for, url_name, kwargs, role, expected)
    if response.streaming:
        b"".join(response.streaming_content)
    response.close()  # file downloads: release the file handle


@pytest.mark.parametrize(("url_name", "kwargs", "role", "expected"), expand(POST_CASES))
def test_post_matrix(client_for, url_name, kwargs, role, expected):
    check(client_for, url_name, kwargs, role, expected, method="post", data={"toggle": "1"})


def test_out_of_scope_roadmap_of_another_clefop_is_404(client_for):
    roadmap = roadmap_with(territory="49-ANG")
    from django.urls import reverse

    url = reverse("roadmaps:roadmap_detail", args=[clefop("44-NAN").slug, roadmap.pk])
    assert client_for("staff").get(url).status_code == 404  # the roadmap does not belong to that Clefop
    assert client_for("member").get(roadmap.get_absolute_url()).status_code == 404
    assert client_for("other_member").get(roadmap.get_absolute_url()).status_code == 200


def test_every_url_of_the_app_is_in_the_matrix():
    from roadmaps import urls

    names = {f"roadmaps:{p.name}" for p in urls.urlpatterns}
    from .test_reports_permissions import CASES as REPORT_CASES  # progress reports: their own matrix

    covered = {name for name, _kw, _exp in CASES + POST_CASES + REPORT_CASES if name.startswith("roadmaps:")}
    assert names == covered, names - covered


def test_recommendation_unknown_code_is_404(client_for):
    from django.urls import reverse

    assert not Recommendation.objects.filter(code="NOPE").exists()
    assert client_for("anonymous").get(reverse("roadmaps:recommendation_detail", args=["NOPE"])).status_code == 404
