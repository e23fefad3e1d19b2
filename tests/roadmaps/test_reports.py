"""Territory progress reports and the regional bundle: content read back from the PDF, metadata, fingerprint reuse,
what changed since the last report, the bundle fanned out (tasks inline), the monthly sending."""

import io
import zipfile

import pytest
from django.core import mail
from django.urls import reverse

from reperes.models import Sheet
from reperes.sheets import build_sheet
from roadmaps import services
from roadmaps.models import Action, ActionStatus, ResultIndicator
from roadmaps.reports import BUNDLE_KIND, TERRITORY_KIND
from srefop_portal.common.models import Job, Notice
from srefop_portal.common.pdf import pdf_info, pdf_language, pdf_text, pdf_xmp
from tests.clefop.factories import clefop

from .report_fixtures import done_report_job, nantes_roadmap

pytestmark = pytest.mark.django_db


def request_report(client, django_capture_on_commit_callbacks, slug="clefop-nantes"):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roadmaps:territory_report", args=[slug]))
    assert response.status_code == 302, response
    job = next(j for j in Job.objects.filter(kind=TERRITORY_KIND) if j.get_absolute_url() == response["Location"])
    return job


def read(job) -> bytes:
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        return handle.read()


def download(client, job):
    response = client.get(job.get_download_url())
    if response.status_code == 200:
        content = b"".join(response.streaming_content)
        return response.status_code, content
    return response.status_code, b""


def flat(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def test_report_contains_actions_statuses_figures_and_is_tagged(client_for, django_capture_on_commit_callbacks):
    nantes_roadmap()
    build_sheet(clefop().territory, Sheet.Audience.MEMBERS)
    client = client_for("cochair")
    job = request_report(client, django_capture_on_commit_callbacks, clefop().slug)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.filename.startswith("rapport-avancement-44-nan-") and job.content_type == "application/pdf"
    content = read(job)
    text = flat(pdf_text(content))
    for expected in (
        "Rapport d’avancement de la feuille de route",
        "Territoire EFOP Nantes",
        "Claire Préfète, Sous-préfète",  # co-chair on the cover
        "Sommaire",
        "Job dating trimestriel",
        "Guichet unique recrutement",
        "Plateforme de mobilité solidaire",
        "En cours",
        "Réalisée",
        "Bloquée",
        "45 %",  # progress of an action
        "Candidats reçus : 90 sur 120 personnes (75 %)",  # result indicator: achieved, target, rate
        "Deux sessions tenues",  # last progress note
        "Prolonger la plateforme de mobilité",  # decisions of the annual review
        "À risque",
        "T-RAPPORT",
        "Population municipale",  # key repère with département and region comparisons
        "Loire-Atlantique",
        "Pays de la Loire",
        "Plénière de printemps",
        "Préfecture 44-NAN",
        "page 1 / ",
        "Premier rapport produit",
        "Carte du territoire par EPCI",
        "Regroupements de communes du territoire :",
        "Rapport d’avancement — Nantes",  # running header
        "Pilote :",
    ):
        assert expected in text, expected
    # Overall progress of the non-abandoned actions: (45 + 100 + 20 + 50) / 4.
    assert "54 %" in text
    # A restricted action is counted, never detailed.
    assert "Action confidentielle" not in text
    assert "diffusion restreinte" in text
    assert "Document de travail" not in text
    info = pdf_info(content)
    assert info["Tagged"] == "yes" and 'pdfuaid:part="1"' in pdf_xmp(content) and pdf_language(content) == "fr"
    assert info["Title"].startswith("Rapport d’avancement — Nantes — ")
    assert "Carif-Oref" in info["Author"]
    # The compact snapshot kept for the next report.
    snapshot = job.result["snapshot"]
    assert len(snapshot["actions"]) == 4
    # The requester is told the file is ready.
    assert Notice.objects.filter(user=job.requester, url=job.get_absolute_url()).exists()


def test_unchanged_data_is_served_at_once_and_a_change_makes_a_new_report(
    client_for, django_capture_on_commit_callbacks, monkeypatch
):
    nantes_roadmap()
    client = client_for("member")
    first = request_report(client, django_capture_on_commit_callbacks, clefop().slug)
    assert first.status == Job.Status.DONE

    import roadmaps.jobs
    from srefop_portal.common import jobs

    calls = []
    original = roadmaps.jobs.build_territory_report
    kind = jobs.get_kind(TERRITORY_KIND)
    monkeypatch.setattr(kind, "handler", lambda job, progress: calls.append(job.pk) or original(job, progress))

    # Same data: the same job, nothing rebuilt; another reader (the Cdefop) is served it too.
    again = request_report(client_for("cdefop"), django_capture_on_commit_callbacks, clefop().slug)
    assert again.pk == first.pk and calls == []
    assert Job.objects.filter(kind=TERRITORY_KIND).count() == 1
    status, content = download(client_for("cdefop"), again)
    assert status == 200 and content.startswith(b"%PDF")

    # A change: a new build, which says what changed since the first report.
    action = Action.objects.get(title="Job dating trimestriel")
    services.update_action_status(action=action, status=ActionStatus.DONE, progress=100, user=None, comment="Fini")
    third = request_report(client, django_capture_on_commit_callbacks, clefop().slug)
    assert third.pk != first.pk and calls == [third.pk]
    text = flat(pdf_text(read(third)))
    assert "1 action modifiée" in text
    assert "En cours, 45 %" in text and "Réalisée, 100 %" in text


def test_working_document_and_demo_marks(client_for, django_capture_on_commit_callbacks):
    from roadmaps.models import Roadmap, RoadmapStatus

    roadmap = nantes_roadmap(status=RoadmapStatus.DRAFT)
    Roadmap.objects.filter(pk=roadmap.pk).update(is_demo=True)
    job = request_report(client_for("animateur"), django_capture_on_commit_callbacks, clefop().slug)
    text = flat(pdf_text(read(job)))
    assert "DOCUMENT DE TRAVAIL" in text.upper()
    assert "DONNÉES DE DÉMONSTRATION" in text.upper()


def test_report_page_lists_previous_reports_with_constant_queries(client_for, django_assert_num_queries, role_user):
    client = client_for("cochair")
    url = reverse("roadmaps:territory_report", args=[clefop().slug])
    done_report_job(requester=role_user("cochair"))
    client.get(url)  # warm caches (session, DSFR config)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        response = client.get(url)
    assert response.status_code == 200
    for _ in range(6):
        done_report_job(requester=role_user("cochair"))
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("Télécharger rapport") == 7
    assert "Produire le rapport" in response.content.decode()


def test_links_from_workspace_roadmap_and_dashboards(client_for):
    roadmap = nantes_roadmap()
    url = reverse("roadmaps:territory_report", args=[clefop().slug])
    assert url in client_for("observer").get(reverse("clefop:body_detail", args=[clefop().slug])).content.decode()
    assert url in client_for("member").get(roadmap.get_absolute_url()).content.decode()
    assert url in client_for("cdefop").get(reverse("roadmaps:dashboard_departement", args=["44"])).content.decode()
    region = client_for("crefop").get(reverse("roadmaps:dashboard_region")).content.decode()
    assert url in region and reverse("roadmaps:regional_reports") in region


def test_regional_bundle_fans_out_counts_parts_and_contains_the_synthesis(
    client_for, django_capture_on_commit_callbacks, monkeypatch
):
    from roadmaps.reports import bundle

    rendered = []
    for name in ("render_territory_report", "render_synthesis"):
        original = getattr(bundle, name)
        monkeypatch.setattr(bundle, name, lambda *a, _f=original, _n=name, **k: rendered.append(_n) or _f(*a, **k))
    nantes_roadmap()
    nantes_roadmap(territory="49-ANG")
    client = client_for("crefop")
    cochair = client_for("cochair")  # seated now: the seat is part of the report's data
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roadmaps:regional_reports"))
    job = Job.objects.get(kind=BUNDLE_KIND)
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert (job.parts_total, job.parts_done) == (3, 3) and len(job.fingerprint) == 64
    assert sorted(rendered) == ["render_synthesis", "render_territory_report", "render_territory_report"]
    assert job.content_type == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(read(job)))
    names = archive.namelist()
    assert names[0] == "00-synthese-regionale.pdf"
    assert len(names) == 3 and any("44-nan" in n for n in names) and any("49-ang" in n for n in names)
    synthesis = archive.read(names[0])
    text = flat(pdf_text(synthesis))
    assert "Synthèse régionale des feuilles de route" in text
    assert "Nantes" in text and "Angers" in text and "Sarthe Nord-Est" in text  # all 18 territories in the table
    assert "2 / 18" in text
    assert pdf_info(synthesis)["Tagged"] == "yes"
    report = flat(pdf_text(archive.read(next(n for n in names if "49-ang" in n))))
    assert "Territoire EFOP Angers" in report and "Job dating trimestriel" in report
    # Parts are cleaned up; the job page and the download work for the Crefop, not for a Cdefop.
    assert download(client, job)[0] == 200
    assert client_for("cdefop").get(job.get_absolute_url()).status_code == 404
    # Unchanged data: the same bundle is served again, nothing rendered.
    rendered.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roadmaps:regional_reports"))
    same = Job.objects.filter(kind=BUNDLE_KIND).order_by("-pk").first()
    assert response["Location"] == same.get_absolute_url() and same.pk != job.pk
    assert same.status == Job.Status.DONE and same.result["same_as"] == job.pk and rendered == []
    assert read(same) == read(job)
    # Each territory part is kept as a finished territory report: its readers are served it at once...
    reports = Job.objects.filter(kind=TERRITORY_KIND, status=Job.Status.DONE)
    assert reports.count() == 2 and job.result["reused_parts"] == 0
    again = request_report(cochair, django_capture_on_commit_callbacks, clefop().slug)
    assert again.params["bundle"] == job.pk and reports.count() == 2
    page = cochair.get(reverse("roadmaps:territory_report", args=[clefop().slug])).content.decode()
    assert "(recueil régional)" in page and again.get_download_url() in page
    # ... and the next bundle renders again only the territory whose data changed (and the synthesis).
    action = Action.objects.filter(title="Job dating trimestriel", roadmap__body=clefop()).get()
    services.update_action_status(action=action, status=ActionStatus.DONE, progress=100, user=None)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roadmaps:regional_reports"))
    second = Job.objects.filter(kind=BUNDLE_KIND).order_by("-pk").first()
    assert second.pk != same.pk and second.status == Job.Status.DONE, second.error
    assert second.result["reused_parts"] == 1 and reports.count() == 3
    assert sorted(rendered) == ["render_synthesis", "render_territory_report"]
    assert len(zipfile.ZipFile(io.BytesIO(read(second))).namelist()) == 3


def test_a_bundle_under_way_is_returned_instead_of_a_second_one(role_user):
    from roadmaps.reports.service import request_regional_bundle

    nantes_roadmap()
    running = Job.objects.create(kind=BUNDLE_KIND, params={}, status=Job.Status.RUNNING)
    assert request_regional_bundle(user=role_user("crefop")).pk == running.pk
    assert Job.objects.filter(kind=BUNDLE_KIND).count() == 1


def test_bundle_left_by_a_dead_worker_is_finished_by_the_runner(role_user):
    """A re-queued bundle (stale job) runs its handler: the missing parts are rendered inline, then merged."""
    from roadmaps.reports.bundle import bundle_bodies
    from srefop_portal.common import jobs

    nantes_roadmap()
    job = Job.objects.create(
        kind=BUNDLE_KIND,
        params={"bodies": [b.pk for b in bundle_bodies()]},
        requester=role_user("crefop"),
        status=Job.Status.RUNNING,
    )
    jobs.execute(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.has_file
    assert len(zipfile.ZipFile(io.BytesIO(read(job))).namelist()) == 2


def test_bundle_without_any_roadmap_is_refused(client_for):
    response = client_for("staff").post(reverse("roadmaps:regional_reports"), follow=True)
    assert "Aucun territoire n’a encore de feuille de route" in response.content.decode()
    assert not Job.objects.filter(kind=BUNDLE_KIND).exists()


def test_monthly_reports_are_off_by_default_and_mail_a_link_to_cochairs_when_on(
    settings, django_capture_on_commit_callbacks, client_for
):
    from roadmaps.tasks import send_monthly_reports

    nantes_roadmap()
    assert send_monthly_reports() == 0
    assert not Job.objects.exists()
    settings.SREFOP_MONTHLY_REPORTS = True
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_monthly_reports() == 1
    job = Job.objects.get(kind=TERRITORY_KIND)
    assert job.status == Job.Status.DONE and job.params["monthly"] is True and job.requester is None
    sent = [m for m in mail.outbox if "mensuel" in m.subject]
    assert len(sent) == 1 and sent[0].to == ["sp-44-nan@exemple.fr"]
    # A link to the report's page (the download checks the reader's rights), never an attachment.
    assert sent[0].attachments == []
    assert settings.SITE_URL + job.get_absolute_url() in sent[0].body
    assert "Clefop Nantes" in sent[0].body and "&#x27;" not in sent[0].body
    # The beat task running twice in the same month sends nothing more.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_monthly_reports()
    assert Job.objects.filter(kind=TERRITORY_KIND).count() == 1 and mail.outbox == []
    status, content = download(client_for("cochair"), job)
    assert status == 200 and content.startswith(b"%PDF")
    assert download(client_for("other_member"), job)[0] == 404


def test_monthly_reports_are_scheduled_by_beat():
    from django.conf import settings

    from srefop_portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["roadmaps-monthly-reports"]
    assert entry["task"] == "roadmaps.tasks.send_monthly_reports" and entry["task"] in app.tasks
    assert entry["schedule"].day_of_month == {1}
    assert settings.SREFOP_MONTHLY_REPORTS is False  # off by default


def test_data_collection_makes_the_same_number_of_queries_whatever_the_size(django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from roadmaps.reports.data import collect

    from .factories import ActionFactory

    roadmap = nantes_roadmap()
    with CaptureQueriesContext(connection) as small:
        collect(roadmap.body)
    priority = roadmap.priorities.first()
    for index in range(12):
        action = ActionFactory(roadmap=roadmap, priority=priority, title=f"Action {index}", progress=index)
        ResultIndicator.objects.create(action=action, label="Indicateur", unit="personnes", target=10, achieved=index)
        services.update_action_status(
            action=action, status=ActionStatus.IN_PROGRESS, progress=index, user=None, comment="Point"
        )
    with django_assert_num_queries(len(small.captured_queries)):
        data = collect(roadmap.body)
    assert len(data["actions"]) == 16


def test_report_without_roadmap_explains_its_empty_sections(role_user):
    from roadmaps.reports.data import collect
    from roadmaps.reports.render import render_territory_report

    text = flat(pdf_text(render_territory_report(collect(clefop()), None)))
    for expected in (
        "Aucune feuille de route pour l’instant.",
        "DOCUMENT DE TRAVAIL",
        "Le Clefop n’a pas encore de feuille de route",
        "Sans feuille de route, il n’y a pas encore de point d’étape annuel.",
        "Aucune préconisation du Srefop n’est rattachée",
        "La fiche repères du territoire n’est pas encore construite",
        "Aucune réunion tenue entre le",
    ):
        assert expected in text, expected


def test_report_job_page_names_its_territory_and_links_back(client_for):
    body = clefop()
    job = Job.objects.create(kind=TERRITORY_KIND, params={"body": body.pk})
    response = client_for("cochair").get(job.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{body.name} — territoire EFOP {body.territory.name}" in html
    assert f'href="{body.get_absolute_url()}"' in html  # breadcrumb: the Clefop's workspace
    report_url = reverse("roadmaps:territory_report", args=[body.slug])
    assert f'href="{report_url}">Retour : Rapport d’avancement</a>' in html


def test_bundle_job_page_links_to_the_regional_reports(client_for):
    job = Job.objects.create(kind=BUNDLE_KIND, params={})
    html = client_for("crefop").get(job.get_absolute_url()).content.decode()
    assert "Les 18 territoires EFOP et la synthèse régionale" in html
    assert f'href="{reverse("roadmaps:regional_reports")}">Retour : Rapports d’avancement</a>' in html
