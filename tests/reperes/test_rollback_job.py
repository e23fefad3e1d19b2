"""Rolling an import back from its page: a background job, checked first, all or nothing, followed on the page."""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connections
from django.urls import reverse

from reperes import aggregation, services
from reperes.models import ImportBatch, Level, Observation, ReplacedObservation, Sheet
from reperes.services import create_batch, roll_back_import, start_roll_back
from reperes.sheets import build_sheets
from srefop_portal.common import jobs, versions
from srefop_portal.common.models import Job
from tests.reperes.conftest import LONG_HEADER, first_import, import_file, make_csv, value

pytestmark = pytest.mark.django_db

HEADER = LONG_HEADER
DONE_MESSAGE = (
    "Annulé : 1\u00a0valeur supprimée, 2\u00a0valeurs rétablies. "
    "Agrégats recalculés, fiches repères en cours de mise à jour."
)
FAILURE_MESSAGE = (
    "L’annulation a échoué sur une erreur inattendue : rien n’a été modifié, l’import reste appliqué. "
    "L’équipe technique a été prévenue ; vous pouvez relancer l’annulation."
)


def data_state():
    """Every value, every kept replaced value and every import's state."""
    return (
        sorted(
            Observation.objects.values_list("indicator_id", "level", "code", "period", "value", "is_computed", "batch")
        ),
        sorted(
            ReplacedObservation.objects.values_list(
                "batch", "indicator_id", "level", "code", "period", "value", "previous_batch"
            )
        ),
        sorted(ImportBatch.objects.values_list("pk", "status", "rolled_back", "rolled_back_by", "message")),
    )


def rollback_url(batch):
    return reverse("reperes_staff:import_rollback", args=[batch.pk])


def rollback_jobs():
    return Job.objects.filter(kind=services.ROLLBACK_KIND)


@pytest.fixture
def imports(catalogue, geo):
    """A first import (6 values), then a correction replacing 2 of them and creating 1."""
    a, b = geo["a"].code, geo["b"].code
    first = first_import(geo)
    correction = import_file(
        make_csv(
            [
                HEADER,
                ["emp", "commune", a, "2024", 110],
                ["emp", "commune", b, "2024", 55],
                ["emp", "commune", a, "2025", 7],
            ]
        ),
        filename="correction.csv",
    )
    assert value("emp", Level.REGION, "52") == 195
    return first, correction


def test_the_roll_back_runs_as_a_job_and_the_page_shows_its_outcome(
    imports, geo, staff_client, staff_user, client_for, django_capture_on_commit_callbacks
):
    first, correction = imports
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(rollback_url(correction))
    assert response.status_code == 302 and response["Location"] == correction.get_absolute_url()

    job = rollback_jobs().get()
    assert job.status == Job.Status.DONE and job.progress == 100 and job.requester == staff_user
    assert job.params == {"batch": correction.pk}
    assert job.message == DONE_MESSAGE
    assert job.result["deleted"] == 1 and job.result["restored"] == 2 and job.result["kept"] == 0
    # The values are restored and the upper levels aggregated again.
    assert value("emp", Level.COMMUNE, geo["a"].code) == 100 and value("emp", Level.COMMUNE, geo["b"].code) == 50
    assert not Observation.objects.filter(indicator__code="emp", period="2025").exists()
    assert value("emp", Level.REGION, "52") == 180
    correction.refresh_from_db()
    assert correction.status == ImportBatch.Status.ROLLED_BACK and correction.rolled_back_by == staff_user
    assert correction.rollback_job_uuid == job.uuid

    page = staff_client.get(correction.get_absolute_url()).content.decode()
    assert "Annulation lancée : suivez son avancement ci-dessous." in page  # the POST's message
    assert '<h2 class="fr-h5 fr-mt-3w">Annulation</h2>' in page and DONE_MESSAGE in page
    assert "Annulé — Annulé : 1\u00a0valeur supprimée, 2\u00a0valeurs rétablies." in page  # the import's status
    assert "Annuler cet import" not in page
    # The region refreshes itself when a job shown in it finishes.
    assert 'hx-trigger="job-finished from:body"' in page and 'hx-select="#import-etat"' in page
    # The job's own page: staff only (it was requested by a staff member).
    assert staff_client.get(job.get_absolute_url()).status_code == 200
    assert client_for("member").get(job.get_absolute_url()).status_code == 404
    # Its last poll tells the page to refresh.
    poll = staff_client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert "job-finished" in poll["HX-Trigger"] and DONE_MESSAGE in poll.content.decode()


def test_while_queued_the_page_shows_the_progress_and_a_second_request_is_refused(
    imports, geo, staff_client, django_capture_on_commit_callbacks
):
    _first, correction = imports
    before = data_state()
    with django_capture_on_commit_callbacks() as queued:
        staff_client.post(rollback_url(correction))
        second = staff_client.post(rollback_url(correction), follow=True)
    queued = [c for c in queued if not isinstance(c, versions._PendingBump)]  # not the data-version bump
    page = second.content.decode()
    assert "L’annulation de cet import est déjà en cours : suivez son avancement sur cette page." in page
    assert rollback_jobs().count() == 1 and len(queued) == 1
    job = rollback_jobs().get()
    assert job.status == Job.Status.PENDING
    # The page follows the queued job (HTMX polling of the job) and offers no second roll-back.
    assert f'hx-get="{job.get_absolute_url()}"' in page and "En attente — 0 %" in page
    assert "<progress" in page and "Annuler cet import" not in page
    assert "tant qu’elle n’est pas terminée, les valeurs de l’import restent en" in page
    assert data_state() == before  # nothing written yet

    queued[0]()  # the worker picks the job up
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.progress == 100
    assert value("emp", Level.COMMUNE, geo["a"].code) == 100
    assert rollback_jobs().count() == 1


def test_a_queued_roll_back_finding_the_import_already_rolled_back_changes_nothing(
    imports, staff_client, staff_user, django_capture_on_commit_callbacks
):
    _first, correction = imports
    with django_capture_on_commit_callbacks() as queued:
        staff_client.post(rollback_url(correction))
    queued = [c for c in queued if not isinstance(c, versions._PendingBump)]  # not the data-version bump
    roll_back_import(batch=correction, user=staff_user)  # done meanwhile (e.g. from the shell)
    after = data_state()
    queued[0]()
    job = rollback_jobs().get()
    assert job.status == Job.Status.FAILED
    assert job.message == "Seul un import appliqué et non encore annulé peut être annulé."
    assert data_state() == after
    page = staff_client.get(correction.get_absolute_url()).content.decode()
    assert "Échec : Seul un import appliqué et non encore annulé peut être annulé." in page


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("pending", "Cet import est encore en cours d’application : il pourra être annulé une fois appliqué."),
        ("failed", "Seul un import appliqué et non encore annulé peut être annulé."),
        ("rolled_back", "Seul un import appliqué et non encore annulé peut être annulé."),
        ("lost_values", "l’annuler les supprimerait au lieu de les rétablir. Rien n’a été modifié"),
    ],
)
def test_refusals_change_nothing_and_say_why(
    imports, geo, staff_client, staff_user, case, message, django_capture_on_commit_callbacks
):
    _first, batch = imports
    if case == "pending":  # its import job has not applied it yet
        batch = create_batch(
            user=None, data=make_csv([HEADER, ["emp", "commune", geo["a"].code, "2024", 1]]), filename="x.csv",
            format="long", options={},
        )  # fmt: skip
    elif case == "failed":
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED)
    elif case == "rolled_back":
        roll_back_import(batch=batch, user=staff_user)
    else:  # applied before replaced values were kept
        ReplacedObservation.objects.filter(batch=batch).delete()
        ImportBatch.objects.filter(pk=batch.pk).update(keeps_replaced_values=False)
    before = data_state()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = staff_client.post(rollback_url(batch), follow=True)
    assert response.redirect_chain == [(batch.get_absolute_url(), 302)]
    assert message in response.content.decode()
    assert not queued and not rollback_jobs().exists()
    assert data_state() == before
    batch.refresh_from_db()
    assert batch.rollback_job_uuid is None


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 302), ("user", 404), ("member", 404)])
def test_only_staff_can_roll_back(imports, client_for, role, expected, django_capture_on_commit_callbacks):
    _first, correction = imports
    before = data_state()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(role).post(rollback_url(correction))
    assert response.status_code == expected
    assert not rollback_jobs().exists() and data_state() == before


@pytest.mark.parametrize("failing_step", ["values", "aggregation"])
def test_a_failure_leaves_the_data_as_it_was(
    imports, staff_client, monkeypatch, failing_step, django_capture_on_commit_callbacks
):
    _first, correction = imports
    build_sheets(territory_codes=["44-NAN"])
    monkeypatch.setattr(services, "WRITE_BATCH", 1)  # three chunks of values
    if failing_step == "values":  # during the second chunk of values, after the first was written
        real_report, steps = jobs.report_progress, []

        def report(job, percent, message=""):
            if "supprimée" in message:
                steps.append(message)
                if len(steps) == 2:
                    raise RuntimeError("panne simulée")
            real_report(job, percent, message)

        monkeypatch.setattr(jobs, "report_progress", report)
    else:  # every value deleted or restored, then the aggregation fails

        def broken(*args, **kwargs):
            raise RuntimeError("panne simulée")

        monkeypatch.setattr(aggregation, "rebuild", broken)
    before = data_state()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(rollback_url(correction))

    job = rollback_jobs().get()
    assert job.status == Job.Status.FAILED and job.message == FAILURE_MESSAGE
    assert "RuntimeError: panne simulée" in job.error  # the traceback, for the technical team
    assert data_state() == before
    correction.refresh_from_db()
    assert correction.status == ImportBatch.Status.APPLIED and correction.can_roll_back
    assert not Sheet.objects.filter(stale=True).exists()
    assert not Job.objects.filter(kind="reperes.build_sheets").exists()
    page = staff_client.get(correction.get_absolute_url()).content.decode()
    assert f"Échec : {FAILURE_MESSAGE}" in page and "Annuler cet import" in page  # it can be tried again

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(rollback_url(correction))
    assert rollback_jobs().filter(status=Job.Status.DONE).count() == 1
    assert value("emp", Level.REGION, "52") == 180


def test_progress_is_reported_chunk_by_chunk(imports, staff_user, monkeypatch):
    _first, correction = imports
    monkeypatch.setattr(services, "WRITE_BATCH", 1)
    calls = []
    roll_back_import(
        batch=correction, user=staff_user, progress=lambda percent, message="": calls.append((percent, message))
    )
    percents = [percent for percent, _message in calls]
    assert percents == sorted(percents) and percents[0] == 2 and percents[-1] == 96
    assert [message for _percent, message in calls if "supprimée" in message] == [
        "1 valeur sur 3 supprimée ou rétablie",
        "2 valeurs sur 3 supprimées ou rétablies",
        "3 valeurs sur 3 supprimées ou rétablies",
    ]
    assert (50, "Valeurs rétablies, agrégation des niveaux supérieurs") in calls


# Without an outer test transaction: what a request really does.


def from_another_connection(read):
    """``read()`` run on a connection of its own (another thread), as the progress page of another request."""
    result = {}

    def run():
        try:
            result["value"] = read()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result["value"]


@pytest.fixture
def reference_data(transactional_db):
    """Committed data: a transactional test starts from an emptied database, the reference data is loaded again."""
    call_command("load_reference_data", stdout=io.StringIO())


@pytest.mark.slow
def test_without_a_worker_the_roll_back_runs_inline_and_the_page_shows_its_outcome(
    reference_data, imports, staff_client
):
    _first, correction = imports
    response = staff_client.post(rollback_url(correction), follow=True)
    page = response.content.decode()
    assert DONE_MESSAGE in page and "Annulation lancée" not in page
    assert rollback_jobs().get().status == Job.Status.DONE
    assert value("emp", Level.REGION, "52") == 180


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_required")  # on SQLite one writer at a time: no side connection there
def test_progress_is_seen_while_the_roll_back_transaction_is_open(
    reference_data, imports, geo, staff_user, monkeypatch
):
    """The progress bar moves during the (single) transaction, whose writes nobody else sees before it commits."""
    _first, correction = imports
    monkeypatch.setattr(jobs, "SIDE_PROGRESS_INTERVAL", 0)
    real_rebuild, seen = aggregation.rebuild, {}

    def observed_rebuild(*args, **kwargs):  # every value is deleted or restored by now, not yet committed
        batch_pk = correction.pk
        seen.update(
            from_another_connection(
                lambda: {
                    "job": Job.objects.filter(kind=services.ROLLBACK_KIND)
                    .values("status", "progress", "message")
                    .get(),
                    "batch": ImportBatch.objects.get(pk=batch_pk).status,
                    "values": Observation.objects.filter(batch_id=batch_pk).count(),
                }
            )
        )
        return real_rebuild(*args, **kwargs)

    monkeypatch.setattr(aggregation, "rebuild", observed_rebuild)
    job = start_roll_back(batch=correction, user=staff_user)  # no worker: runs once the request commits
    assert seen["job"] == {
        "status": Job.Status.RUNNING,
        "progress": 50,
        "message": "Valeurs rétablies, agrégation des niveaux supérieurs",
    }
    assert seen["batch"] == ImportBatch.Status.APPLIED and seen["values"] == 3  # others see the data unchanged
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.progress == 100
    assert value("emp", Level.COMMUNE, geo["a"].code) == 100


def test_rollback_job_page_names_the_file_and_links_back_to_the_import(imports, staff_client):
    _first, second = imports
    job = Job.objects.create(kind=services.ROLLBACK_KIND, params={"batch": second.pk})
    html = staff_client.get(job.get_absolute_url()).content.decode()
    assert f"Fichier « {second.filename} »" in html
    assert f'href="{reverse("reperes_staff:import_list")}"' in html
    assert f'href="{second.get_absolute_url()}">Retour : Import n° {second.pk}</a>' in html
