import datetime
import io
import re
import zipfile

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from roadmaps import services
from roadmaps.forms import ActionForm
from roadmaps.fragments import COLLAPSE_AFTER
from roadmaps.models import Action, ActionStatus, RoadmapStatus, departement_rollup, region_rollup
from roadmaps.services import send_overdue_emails
from tests.clefop.factories import MembershipFactory, clefop

from .factories import ActionFactory, PriorityFactory, RecommendationFactory, roadmap_with

pytestmark = pytest.mark.django_db


def action_url(name, action, *args):
    return reverse(f"roadmaps:{name}", args=[action.roadmap.body.slug, action.pk, *args])


def edit_data(action, **overrides):
    data = {
        "version": action.version,
        "priority": action.priority_id,
        "title": action.title,
        "description": action.description,
        "objectives": "",
        "status": action.status,
        "progress": action.progress,
        "start_date": "2024-01-01",
        "end_date": "2030-12-31",
        "rome_codes": "",
        "partners": "",
    }
    data.update(overrides)
    return data


def test_second_save_with_stale_version_shows_conflict_and_never_overwrites(client_for):
    action = ActionFactory()
    first, second = client_for("member"), client_for("animateur")
    stale = edit_data(action)
    assert first.post(action_url("action_edit", action), edit_data(action, title="Titre A")).status_code == 302
    response = second.post(action_url("action_edit", action), {**stale, "title": "Titre B"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Titre A" in page and "Titre B" in page and "modifiée entre-temps" in page
    # Only the title differs: empty multi-selects and unchanged fields are not marked « Différent ».
    differing = [row["label"] for row in response.context["rows"] if row["differs"]]
    assert differing == [str(ActionForm.base_fields["title"].label)]
    assert page.count("fr-badge--warning") == 1
    action.refresh_from_db()
    assert action.title == "Titre A" and action.version == 2
    # Saving again deliberately (the conflict form carries the new version) works.
    response = second.post(action_url("action_edit", action), {**stale, "version": 2, "title": "Titre B"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "Titre B" and action.version == 3


def test_history_shows_field_differences_and_animateur_restores(client_for, role_user):
    roadmap = roadmap_with(priorities=1)
    member = role_user("member")
    action = services.create_action(
        roadmap=roadmap,
        user=member,
        data={"priority": roadmap.priorities.get(), "title": "Version 1", "status": "planned", "progress": 0},
    )
    services.update_action(
        action=action, data={"priority": action.priority, "title": "Version 2"}, expected_version=1, user=member
    )
    response = client_for("member").get(action_url("action_history", action))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Version 1" in page and "Version 2" in page and "Intitulé" in page
    first = action.history.earliest("history_date")
    assert client_for("member").post(action_url("action_restore", action, first.history_id)).status_code == 404
    response = client_for("animateur").post(action_url("action_restore", action, first.history_id))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "Version 1" and action.version == 3
    assert action.history.count() == 3
    assert (
        client_for("member").get(reverse("roadmaps:roadmap_history", args=[roadmap.body.slug, roadmap.pk])).status_code
        == 200
    )


def test_htmx_status_edit_returns_the_cell_and_records_a_note(client_for):
    action = ActionFactory(status="planned", progress=0)
    client = client_for("member")
    form = client.get(action_url("action_status", action), headers={"HX-Request": "true"})
    assert form.status_code == 200 and "<html" not in form.content.decode()
    response = client.post(
        action_url("action_status", action), {"status": "in_progress", "progress": 40}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "En cours" in response.content.decode() and "<html" not in response.content.decode()
    action.refresh_from_db()
    assert action.status == "in_progress" and action.progress == 40 and action.version == 2
    assert action.notes.get().progress == 40


def test_status_edit_without_javascript_and_bad_input(client_for):
    action = ActionFactory()
    client = client_for("member")
    assert client.get(action_url("action_status", action)).status_code == 200
    response = client.post(action_url("action_status", action), {"status": "done", "progress": 120})
    assert response.status_code == 400
    action.refresh_from_db()
    assert action.status == "in_progress"
    response = client.post(
        action_url("action_status", action), {"status": "done", "progress": 80, "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == action.get_absolute_url()


def test_fiche_details_budget_indicator_sub_action_and_document(client_for, role_user):
    action = ActionFactory()
    client = client_for("member")
    client.post(
        action_url("action_item_add", action, "budget"),
        {"budget-year": 2025, "budget-planned": "1 500,50", "budget-spent": "200", "budget-funder": "Région"},
    )
    client.post(
        action_url("action_item_add", action, "indicateur"),
        {
            "indicator-label": "Personnes",
            "indicator-unit": "pers.",
            "indicator-target": "50",
            "indicator-achieved": "10",
        },
    )
    client.post(action_url("action_item_add", action, "sous-action"), {"sub-title": "Réunion"})
    assert action.budget_lines.get().planned == pytest.approx(1500.5)
    assert action.indicators.get().rate == pytest.approx(20)
    sub = action.sub_actions.get()
    client.post(action_url("action_item_change", action, "sous-action", sub.pk), {"toggle": "1"})
    sub.refresh_from_db()
    assert sub.done
    # Documents: the type is checked from the content.
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("rapport.pdf", b"MZ\x90\x00 not a pdf")
    client.post(action_url("action_item_add", action, "document"), {"doc-title": "x", "doc-file": bad})
    assert action.documents.count() == 0
    pdf = SimpleUploadedFile("rapport.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    client.post(action_url("action_item_add", action, "document"), {"doc-title": "Rapport", "doc-file": pdf})
    document = action.documents.get()
    assert document.content_type == "application/pdf"
    download = action_url("action_document_download", action, document.pk)
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for("other_member").get(download).status_code == 404
    assert client_for("anonymous").get(download).status_code == 302


def test_restricted_actions_only_for_clefop_members(client_for):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, actions=0)
    secret = ActionFactory(priority=roadmap.priorities.get(), roadmap=roadmap, restricted=True, title="Action secrète")
    ActionFactory(priority=roadmap.priorities.get(), roadmap=roadmap, title="Action publique")
    public = client_for("anonymous").get(reverse("roadmaps:public_detail", args=[roadmap.pk])).content.decode()
    assert "Action publique" in public and "Action secrète" not in public
    assert client_for("observer").get(action_url("action_detail", secret)).status_code == 200
    assert client_for("cdefop").get(action_url("action_detail", secret)).status_code == 404
    assert "Action secrète" not in client_for("crefop").get(roadmap.get_absolute_url()).content.decode()
    csv = client_for("anonymous").get(reverse("roadmaps:open_data_csv")).content.decode("utf-8-sig")
    assert "Action publique" in csv and "Action secrète" not in csv


@pytest.mark.parametrize("url_name", ["roadmap_detail", "public_detail"])
def test_roadmap_page_same_query_count_with_5_and_200_actions(client_for, url_name):
    client = client_for("member")

    def count(n):
        roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=3, actions=n, start_year=2020 + n % 7)
        for action in roadmap.actions.all()[:3]:
            action.pilots.add(MembershipFactory(body=clefop()).user)
        path = (
            reverse("roadmaps:public_detail", args=[roadmap.pk])
            if url_name == "public_detail"
            else roadmap.get_absolute_url()
        )
        client.get(path)  # warm caches (perimeter, DSFR config)
        counts = []
        for clear in (True, False):  # the roadmap's cached parts built, then served from the cache
            if clear:
                cache.clear()
            with CaptureQueriesContext(connection) as context:
                response = client.get(path)
            assert response.status_code == 200
            # The workspace page shows the first actions of each priority (the rest on demand).
            shown = n if url_name == "public_detail" else min(n, 3 * COLLAPSE_AFTER)
            assert response.content.decode().count('srefop-status"') >= shown
            counts.append(len(context.captured_queries))
        return tuple(counts)

    small = count(5)
    assert small == count(200)
    assert small[1] < small[0]
    if url_name == "roadmap_detail":
        # Served: session, user, perimeter, roadmap and body, the actions the reader pilots, notices.
        assert small[1] <= 6


def test_roadmap_page_shows_changes_at_once(client_for, role_user):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=1, actions=1)
    client = client_for("member")
    page = client.get(roadmap.get_absolute_url()).content.decode()  # now cached
    assert "Deuxième priorité" not in page and "Autres versions de cette période" not in page
    PriorityFactory(roadmap=roadmap, order=2, title="Deuxième priorité")
    services.revise_roadmap(roadmap=roadmap, user=role_user("cochair"))
    page = client.get(roadmap.get_absolute_url()).content.decode()
    assert "Priorité 2 : Deuxième priorité" in page
    assert "Autres versions de cette période" in page


def test_rollups_computed_by_hand():
    nantes = roadmap_with(status=RoadmapStatus.ADOPTED, territory="44-NAN", priorities=2)
    p1, p2 = nantes.priorities.order_by("order")
    past = datetime.date(2020, 1, 1)
    ActionFactory(priority=p1, roadmap=nantes, progress=20)
    ActionFactory(priority=p1, roadmap=nantes, progress=60, end_date=past)  # overdue
    ActionFactory(priority=p2, roadmap=nantes, progress=100, status=ActionStatus.DONE, end_date=past)
    ActionFactory(priority=p2, roadmap=nantes, progress=0, status=ActionStatus.ABANDONED)  # excluded from averages
    saint_nazaire = roadmap_with(status=RoadmapStatus.ADOPTED, territory="44-STN", priorities=1)
    ActionFactory(priority=saint_nazaire.priorities.get(), roadmap=saint_nazaire, progress=40)
    angers = roadmap_with(status=RoadmapStatus.ADOPTED, territory="49-ANG", priorities=1)
    ActionFactory(priority=angers.priorities.get(), roadmap=angers, progress=90)
    draft = roadmap_with(status=RoadmapStatus.DRAFT, territory="49-CHO", priorities=1)
    ActionFactory(priority=draft.priorities.get(), roadmap=draft, progress=10)  # not adopted: not in the roll-ups

    from roadmaps.models import Priority, Roadmap

    priorities = {p.pk: p for p in Priority.objects.filter(roadmap=nantes).with_stats()}
    assert priorities[p1.pk].progress_value == pytest.approx(40)  # (20 + 60) / 2
    assert priorities[p2.pk].progress_value == pytest.approx(100)  # abandoned excluded
    assert priorities[p1.pk].overdue_total == 1 and priorities[p2.pk].overdue_total == 0
    roadmap = Roadmap.objects.with_stats().get(pk=nantes.pk)
    assert roadmap.progress_value == pytest.approx(60)  # (20 + 60 + 100) / 3
    assert roadmap.action_total == 4 and roadmap.overdue_total == 1 and roadmap.status_abandoned == 1
    deps = {d.code: d for d in departement_rollup()}
    assert deps["44"].progress_value == pytest.approx(55)  # (20 + 60 + 100 + 40) / 4
    assert deps["44"].action_total == 5 and deps["44"].overdue_total == 1
    assert deps["49"].progress_value == pytest.approx(90) and deps["49"].action_total == 1
    region = region_rollup()
    assert region["progress_value"] == pytest.approx(62)  # (20 + 60 + 100 + 40 + 90) / 5
    assert region["action_total"] == 6 and region["overdue_total"] == 1


def test_roadmap_exports_neutralise_formulas(client_for):
    roadmap = roadmap_with(actions=0)
    ActionFactory(
        priority=roadmap.priorities.get(), roadmap=roadmap, title='=HYPERLINK("http://x")', description="+33 1 23"
    )
    client = client_for("member")
    csv = client.get(reverse("roadmaps:roadmap_export", args=[roadmap.body.slug, roadmap.pk, "csv"]))
    text = csv.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+33 1 23" in text
    xlsx = client.get(reverse("roadmaps:roadmap_export", args=[roadmap.body.slug, roadmap.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row}
    # Explicit string cells: no formula, no visible apostrophe.
    assert cells['=HYPERLINK("http://x")'].data_type == "s" and cells["+33 1 23"].data_type == "s"
    assert not any(cell.data_type == "f" for cell in cells.values())
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(xlsx.content)).read("xl/worksheets/sheet1.xml")


def test_open_data_json_lists_adopted_roadmaps_only(client_for):
    adopted = roadmap_with(status=RoadmapStatus.ADOPTED, actions=2)
    roadmap_with(status=RoadmapStatus.DRAFT, territory="49-ANG", actions=1)
    data = client_for("anonymous").get(reverse("roadmaps:open_data_json")).json()
    assert [r["clefop"] for r in data["feuilles_de_route"]] == [adopted.body.name]
    assert len(data["feuilles_de_route"][0]["actions"]) == 2


def test_weekly_overdue_email_one_per_pilot_with_opt_out(role_user, django_capture_on_commit_callbacks):
    member, animateur = role_user("member"), role_user("animateur")
    past = datetime.date(2020, 6, 1)
    a1 = ActionFactory(end_date=past, title="Retard un")
    a2 = ActionFactory(end_date=past, title="Retard deux", priority=a1.priority, roadmap=a1.roadmap)
    a3 = ActionFactory(end_date=past, status="done", title="Finie", priority=a1.priority, roadmap=a1.roadmap)
    for action in (a1, a2, a3):
        action.pilots.add(member, animateur)
    animateur.receive_overdue_emails = False
    animateur.save()
    from roadmaps.tasks import send_overdue_action_emails

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_overdue_action_emails() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member.email]
    assert mail.outbox[0].subject == "[Portail Srefop] 2 actions en retard"
    body = mail.outbox[0].body
    assert "Retard un" in body and "Retard deux" in body and "Finie" not in body
    assert send_overdue_emails() == 1


def test_panels(rf, role_user):
    from roadmaps.panels import body_panels, territory_panels

    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, actions=2)
    request = rf.get("/")
    request.user = role_user("member")
    panels = body_panels(request, roadmap.body)
    assert panels[0]["context"]["roadmap"] == roadmap
    request.user = role_user("other_member")
    assert body_panels(request, roadmap.body) == []
    panel = territory_panels(request, roadmap.body.territory)[0]
    assert roadmap.title in panel["html"] and "2 actions publiées" in " ".join(panel["html"].split())


def test_territory_page_shows_the_adopted_roadmap(client_for):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, actions=1)
    page = client_for("anonymous").get(reverse("territories:detail", args=["44-NAN"])).content.decode()
    assert roadmap.title in page


def test_dashboards_and_coverage(client_for):
    from .factories import RecommendationFactory

    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, actions=0)
    recommendation = RecommendationFactory()
    action = ActionFactory(priority=roadmap.priorities.get(), roadmap=roadmap, end_date=datetime.date(2020, 1, 1))
    action.recommendations.add(recommendation)
    page = client_for("cdefop").get(reverse("roadmaps:dashboard_departement", args=["44"])).content.decode()
    assert action.title in page and "Nantes" in page
    page = client_for("crefop").get(reverse("roadmaps:coverage")).content.decode()
    assert recommendation.code in page
    xlsx = client_for("crefop").get(reverse("roadmaps:coverage") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == recommendation.code)
    assert row[header.index("44-NAN")] == 1 and row[-1] == 1
    detail = client_for("crefop").get(
        reverse("roadmaps:coverage_detail", args=[recommendation.code]) + "?territoire=44-NAN"
    )
    assert action.title in detail.content.decode()
    rec_page = client_for("anonymous").get(recommendation.get_absolute_url()).content.decode()
    assert action.title in rec_page


def _queries(client, url, *, cached: bool) -> int:
    """Queries of one request, the cached fragments built (cached=False) or served from the cache."""
    if not cached:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["roadmaps:dashboard_region", "roadmaps:coverage"])
def test_dashboard_and_coverage_query_counts_do_not_grow_with_data(client_for, name):
    client = client_for("crefop")
    url = reverse(name)
    roadmap_with(status=RoadmapStatus.ADOPTED, actions=3)
    RecommendationFactory()
    client.get(url)  # session, DSFR configuration
    small = (_queries(client, url, cached=False), _queries(client, url, cached=True))
    for code in ("49-ANG", "53-LAV", "72-LMA", "85-ROC"):
        roadmap_with(status=RoadmapStatus.ADOPTED, territory=code, priorities=3, actions=30)
    RecommendationFactory.create_batch(5)
    large = (_queries(client, url, cached=False), _queries(client, url, cached=True))
    assert small == large
    # Served from the cache: the session only (the signed-in account, their positions and their unread notices are
    # cached too, see tests/common/test_chrome.py).
    assert large[1] <= 1


def test_dashboard_and_coverage_show_changes_at_once(client_for):
    client = client_for("crefop")
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, actions=1)
    recommendation = RecommendationFactory()
    dashboard, coverage = reverse("roadmaps:dashboard_region"), reverse("roadmaps:coverage")
    actions_total = re.compile(r'Actions</p>\s*<p class="fr-h3 fr-mb-0">(\d+)</p>')
    assert actions_total.search(client.get(dashboard).content.decode()).group(1) == "1"  # now cached
    detail = f"{reverse('roadmaps:coverage_detail', args=[recommendation.code])}?territoire=44-NAN"
    assert detail not in client.get(coverage).content.decode()  # now cached
    action = ActionFactory(priority=roadmap.priorities.get(), roadmap=roadmap, title="Action nouvelle")
    action.recommendations.add(recommendation)
    assert detail in client.get(coverage).content.decode()
    assert actions_total.search(client.get(dashboard).content.decode()).group(1) == "2"


def test_action_queryset_for_anonymous_is_empty():
    ActionFactory()
    from django.contrib.auth.models import AnonymousUser

    assert not Action.objects.for_user(AnonymousUser()).exists()


def test_departement_dashboard_is_cached_per_reader_class_and_follows_writes(client_for):
    from django.test import Client

    from clefop.models import Position
    from tests.accounts.factories import UserFactory
    from tests.clefop.factories import cdefop
    from tests.second_factor import sign_in

    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, actions=0)
    late = datetime.date(2020, 1, 1)
    restricted = ActionFactory(
        priority=roadmap.priorities.get(), roadmap=roadmap, end_date=late, restricted=True, title="Action réservée"
    )
    url = reverse("roadmaps:dashboard_departement", args=["44"])
    overseer = client_for("cdefop")
    assert restricted.title not in overseer.get(url).content.decode()  # now cached for this reader class
    # A Cdefop member who also sits in the Clefop: another class, which sees the Clefop's restricted actions.
    both = UserFactory()
    MembershipFactory(user=both, body=cdefop("44"), position=Position.MEMBER)
    MembershipFactory(user=both, body=clefop("44-NAN"), position=Position.MEMBER)
    insider = Client()
    sign_in(insider, both)
    assert restricted.title in insider.get(url).content.decode()
    assert restricted.title not in overseer.get(url).content.decode()
    ActionFactory(priority=roadmap.priorities.get(), roadmap=roadmap, end_date=late, title="Action nouvelle en retard")
    assert "Action nouvelle en retard" in overseer.get(url).content.decode()
