"""Offre de services: catalogue, editing rights, review flags, import/export, sessions, iCal, reminders,
support requests."""

import datetime
import html
import io

import icalendar
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from clefop.calendar import regenerate_token
from clefop.models import OrganisationKind
from clefop.services import ClefopError
from offer import services
from offer.models import (
    Dispositif,
    DispositifLevel,
    Registration,
    RegistrationStatus,
    Session,
    SupportRequest,
    SupportStatus,
)
from offer.tasks import send_dispositif_review_reminders, send_session_reminders
from roadmaps.models import RoadmapStatus
from srefop_portal.common.models import Notice
from territories.models import Territory
from tests.accounts.factories import UserFactory
from tests.clefop.factories import OrganisationFactory, clefop
from tests.offer.factories import DispositifFactory, SessionFactory

pytestmark = pytest.mark.django_db

LIST = reverse("offer:dispositif_list")


def territory(code):
    return Territory.objects.get(code=code)


def names(response):
    return {d.name for d in response.context["dispositifs"]}


# ---------------------------------------------------------------------------------------------- catalogue


def test_catalogue_filters_and_search(client):
    nantes, angers = territory("44-NAN"), territory("49-ANG")
    region = OrganisationFactory(name="Région PdL", kind=OrganisationKind.REGION)
    DispositifFactory(name="Partout jeunes mobilité", carrier=region, publics=["jeunes"], themes=["mobilite"])
    DispositifFactory(
        name="Nantes jeunes mobilité", territories=[nantes], publics=["jeunes"], themes=["mobilite"], level="local"
    )
    DispositifFactory(name="Angers jeunes", territories=[angers], publics=["jeunes"], themes=["mobilite"])
    DispositifFactory(name="Partout seniors", publics=["seniors"], themes=["recrutement"], description="Tutorat")
    assert names(client.get(LIST)) == {
        "Partout jeunes mobilité",
        "Nantes jeunes mobilité",
        "Angers jeunes",
        "Partout seniors",
    }
    response = client.get(LIST, {"territoire": "44-NAN", "public": "jeunes", "thematique": "mobilite"})
    assert names(response) == {"Partout jeunes mobilité", "Nantes jeunes mobilité"}
    assert names(client.get(LIST, {"public": "seniors"})) == {"Partout seniors"}
    assert names(client.get(LIST, {"thematique": "recrutement"})) == {"Partout seniors"}
    assert names(client.get(LIST, {"type_structure": "region"})) == {"Partout jeunes mobilité"}
    assert names(client.get(LIST, {"structure": region.pk})) == {"Partout jeunes mobilité"}
    assert names(client.get(LIST, {"echelon": "local"})) == {"Nantes jeunes mobilité"}
    assert names(client.get(LIST, {"q": "tutorat"})) == {"Partout seniors"}
    assert names(client.get(LIST, {"q": "angers jeunes"})) == {"Angers jeunes"}
    # An unknown value is ignored with the form's message, never a crash.
    assert client.get(LIST, {"territoire": "XX-XXX"}).status_code == 200


def test_catalogue_list_query_count_is_constant(client_for):
    client = client_for("member")

    def count(n):
        Dispositif.objects.all().delete()
        for _ in range(n):
            DispositifFactory(territories=[territory("44-NAN")])
        client.get(LIST)
        with CaptureQueriesContext(connection) as context:
            response = client.get(LIST, {"territoire": "44-NAN"})
        assert response.status_code == 200
        assert len(response.context["dispositifs"]) == min(n, 20)
        return len(context.captured_queries)

    assert count(1) == count(45)


def test_territory_page_panel_lists_the_available_dispositifs(client):
    DispositifFactory(name="Local à Nantes", territories=[territory("44-NAN")])
    DispositifFactory(name="Régional")
    DispositifFactory(name="Ailleurs", territories=[territory("49-ANG")])
    content = client.get(reverse("territories:detail", args=["44-NAN"])).content.decode()
    assert "Offre de services mobilisable sur le territoire" in content
    assert "2 dispositifs disponibles" in content
    assert "Local à Nantes" in content and "Ailleurs" not in content


# ---------------------------------------------------------------------------------------------- editing


def _form_data(dispositif, **overrides):
    data = {
        "name": dispositif.name,
        "carrier": dispositif.carrier_id,
        "level": dispositif.level,
        "publics": dispositif.publics,
        "themes": dispositif.themes,
        "description": dispositif.description,
        "territories": [],
    }
    data.update(overrides)
    return data


def test_carrier_members_and_staff_edit_others_get_404(client_for, role_user):
    member = role_user("member")
    organisation = member.memberships.get().organisation
    mine = DispositifFactory(carrier=organisation, last_reviewed_on=datetime.date(2020, 1, 1))
    other = DispositifFactory()
    client = client_for("member")
    url = reverse("offer:dispositif_update", args=[mine.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _form_data(mine, name="Renommé", territories=[territory("44-NAN").pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.name == "Renommé" and mine.last_reviewed_on == timezone.localdate()
    assert list(mine.territories.values_list("code", flat=True)) == ["44-NAN"]
    assert mine.updated_by == member
    # Another carrier's dispositif, or moving one's dispositif to another carrier: refused.
    assert client.get(reverse("offer:dispositif_update", args=[other.pk])).status_code == 404
    response = client.post(url, _form_data(mine, carrier=other.carrier_id))
    assert response.status_code == 400
    mine.refresh_from_db()
    assert mine.carrier == organisation
    assert client_for("other_member").get(url).status_code == 404
    assert client_for("staff").get(reverse("offer:dispositif_update", args=[other.pk])).status_code == 200


def test_create_then_bad_input_leaves_data_unchanged(client_for, role_user):
    organisation = role_user("member").memberships.get().organisation
    client = client_for("member")
    url = reverse("offer:dispositif_create")
    data = {
        "name": "Nouveau",
        "carrier": organisation.pk,
        "level": "local",
        "description": "Texte",
        "publics": ["jeunes"],
    }
    assert client.post(url, data).status_code == 302
    assert Dispositif.objects.get(name="Nouveau").publics == ["jeunes"]
    # Duplicate name for the same carrier, unknown public, reversed validity dates.
    assert client.post(url, data).status_code == 400
    assert client.post(url, {**data, "name": "Autre", "publics": ["inconnu"]}).status_code == 400
    response = client.post(url, {**data, "name": "Dates", "valid_from": "2026-05-01", "valid_until": "2026-01-01"})
    assert response.status_code == 400
    assert "La fin de validité doit être postérieure" in response.content.decode()
    assert Dispositif.objects.count() == 1


def test_twelve_month_flag_badge_review_and_monthly_reminder(client_for, role_user, django_capture_on_commit_callbacks):
    member = role_user("member")
    organisation = member.memberships.get().organisation
    old = DispositifFactory(
        name="Vieux", carrier=organisation, last_reviewed_on=timezone.localdate() - datetime.timedelta(days=400)
    )
    fresh = DispositifFactory(name="Récent", carrier=organisation)
    orphan = DispositifFactory(name="Sans porteur en instance", last_reviewed_on=datetime.date(2020, 1, 1))
    staff = role_user("staff")
    assert old.needs_review and not fresh.needs_review
    assert set(Dispositif.objects.needing_review()) == {old, orphan}
    badge = "À revoir (non revu depuis 12 mois)"
    assert badge in client_for("member").get(old.get_absolute_url()).content.decode()
    assert badge not in client_for("other_member").get(old.get_absolute_url()).content.decode()
    assert badge in client_for("member").get(LIST).content.decode()
    assert "1 dispositif à revoir" in client_for("member").get(reverse("offer:my_dispositifs")).content.decode()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_dispositif_review_reminders() == 2  # the carrier's member, and staff for the orphan
    recipients = {m.to[0]: m.body for m in mail.outbox}
    assert set(recipients) == {member.email, staff.email}
    assert "Vieux" in recipients[member.email] and "Sans porteur" not in recipients[member.email]
    assert Notice.objects.filter(user=member, message__contains="Vieux").exists()
    mail.outbox.clear()
    assert send_dispositif_review_reminders() == 0  # not again within 4 weeks
    later = timezone.localdate() + datetime.timedelta(days=30)
    assert services.send_review_reminders(today=later) == 2

    response = client_for("member").post(reverse("offer:dispositif_review", args=[old.pk]))
    assert response.status_code == 302
    old.refresh_from_db()
    assert not old.needs_review and old.review_reminder_sent_on is None


# ---------------------------------------------------------------------------------------------- import / export

HEADER = "nom;structure;type_structure;echelon;territoires;publics;thematiques;description;fin_validite\n"


def _check(client, content: str, name="dispositifs.csv"):
    upload = io.BytesIO(content.encode("utf-8"))
    upload.name = name
    return client.post(reverse("offer:dispositif_import"), {"file": upload})


def test_import_with_errors_writes_nothing_then_good_file_applies(staff_client):
    OrganisationFactory(name="France Travail PdL", kind=OrganisationKind.FRANCE_TRAVAIL)
    bad = HEADER + (
        "CEJ;France Travail PdL;;national;;jeunes;insertion;Accompagnement;\n"
        "Sans niveau;France Travail PdL;;galactique;44-NAN;martiens;cuisine;Texte;31/02/2026\n"
        ";Inconnue;;local;99-ZZZ;;;;\n"
    )
    response = _check(staff_client, bad)
    assert response.status_code == 400
    errors = {(e.line, e.column) for e in response.context["result"].errors}
    assert {(3, "echelon"), (3, "publics"), (3, "thematiques"), (3, "fin_validite")} <= errors
    assert {(4, "nom"), (4, "description"), (4, "type_structure"), (4, "territoires")} <= errors
    assert "aucune donnée n’a été modifiée" in response.content.decode()
    assert Dispositif.objects.count() == 0

    good = HEADER + (
        "CEJ;France Travail PdL;;national;;Jeunes;Insertion, Orientation;Accompagnement;\n"
        "Bus de l'emploi;Mission locale test;Mission locale;local;44-NAN, 44-STN;jeunes;mobilite;Navette;31/12/2027\n"
    )
    response = _check(staff_client, good)
    assert response.status_code == 200
    token = response.context["token"]
    assert response.context["result"].created == 2
    response = staff_client.post(reverse("offer:dispositif_import_confirm"), {"token": token})
    assert response.status_code == 302
    cej = Dispositif.objects.get(name="CEJ")
    assert cej.publics == ["jeunes"] and cej.themes == ["insertion", "orientation"] and cej.level == "national"
    bus = Dispositif.objects.get(name="Bus de l'emploi")
    assert bus.carrier.kind == OrganisationKind.MISSION_LOCALE
    assert set(bus.territories.values_list("code", flat=True)) == {"44-NAN", "44-STN"}
    assert bus.valid_until == datetime.date(2027, 12, 31)
    # The same file again updates (no duplicates); a replayed token is refused.
    assert staff_client.post(reverse("offer:dispositif_import_confirm"), {"token": token}).status_code == 302
    assert Dispositif.objects.count() == 2
    response = _check(staff_client, good.replace("Navette", "Navette électrique"))
    assert response.context["result"].updated == 2
    staff_client.post(reverse("offer:dispositif_import_confirm"), {"token": response.context["token"]})
    assert Dispositif.objects.get(name="Bus de l'emploi").description == "Navette électrique"


def test_export_neutralises_formulas_and_round_trips(client, staff_client):
    DispositifFactory(name='=HYPERLINK("http://evil")', description="+33 cmd", territories=[territory("44-NAN")])
    DispositifFactory(name="Prépa clés", territories=[territory("44-NAN")])
    response = client.get(reverse("offer:dispositif_export"), {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+33 cmd" in text
    response = client.get(reverse("offer:dispositif_export"), {"format": "xlsx", "territoire": "44-NAN"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    evil = next(row for row in rows if str(row[0].value).startswith("="))
    # An explicit string cell: never evaluated, and no apostrophe shows.
    assert rows[0][0].value == "nom" and evil[0].data_type == "s" and evil[0].value == '=HYPERLINK("http://evil")'
    assert evil[4].value == "44-NAN"
    # The export is importable as is (same columns); the formula-looking name is refused by line and column.
    upload = io.BytesIO(response.content)
    upload.name = "export.xlsx"
    response = staff_client.post(reverse("offer:dispositif_import"), {"file": upload})
    assert response.status_code == 400
    errors = response.context["result"].errors
    assert [(e.line, e.column) for e in errors] == [(evil[0].row, "nom")] and "formule" in errors[0].message
    response = client.get(reverse("offer:dispositif_export"), {"format": "xlsx", "q": "Prépa clés"})
    upload = io.BytesIO(response.content)
    upload.name = "export.xlsx"
    result = staff_client.post(reverse("offer:dispositif_import"), {"file": upload}).context["result"]
    assert result.errors == [] and result.updated == 1


# ---------------------------------------------------------------------------------------------- sessions


def test_registration_waiting_list_cancel_and_promotion(client_for, role_user, django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=2)
    users = [role_user(r) for r in ("member", "animateur", "cochair", "other_member")]
    statuses = [services.register(session=session, user=u).status for u in users[:3]]
    assert statuses == ["registered", "registered", "waiting"]
    services.register(session=session, user=users[3])
    with pytest.raises(ClefopError, match="déjà inscrit"):
        services.register(session=session, user=users[0])
    with pytest.raises(ClefopError, match="liste d’attente"):
        services.register(session=session, user=users[2])

    mail.outbox.clear()
    client = client_for("member")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("offer:session_cancel", args=[session.pk]), follow=True)
    assert "Votre inscription est annulée" in response.content.decode()
    status = dict(Registration.objects.filter(session=session).values_list("user_id", "status"))
    assert status[users[0].pk] == "cancelled"
    assert status[users[2].pk] == "registered"  # first in the waiting list, promoted
    assert status[users[3].pk] == "waiting"
    assert [m.to for m in mail.outbox] == [[users[2].email]]
    assert "Place confirmée" in mail.outbox[0].subject
    assert Notice.objects.filter(user=users[2], message__contains="est confirmée").exists()

    # Registering again after cancelling: the session is full, back at the end of the waiting list.
    response = client.post(reverse("offer:session_register", args=[session.pk]), follow=True)
    assert "liste d’attente" in html.unescape(response.content.decode())
    page = client.get(session.get_absolute_url()).content.decode()
    assert "Liste d’attente : position 2" in page
    # More places: the waiting list is promoted in order.
    services.save_session(
        session=session,
        by=role_user("staff"),
        **{f: getattr(session, f) for f in services.SESSION_FIELDS[:-4]},
        capacity=4,
        audience="",
        programme="",
        speakers="",
    )
    assert set(session.registrations.filter(status="registered").values_list("user_id", flat=True)) == {
        users[1].pk,
        users[2].pk,
        users[3].pk,
        users[0].pk,
    }
    past = SessionFactory(start=timezone.now() - datetime.timedelta(days=2))
    with pytest.raises(ClefopError, match="terminée"):
        services.register(session=past, user=users[0])


def test_attendance_export_and_documents(staff_client, role_user):
    session = SessionFactory(capacity=1, start=timezone.now() - datetime.timedelta(hours=1))
    member, animateur = role_user("member"), role_user("animateur")
    Registration.objects.create(session=session, user=member, status=RegistrationStatus.REGISTERED)
    waiting = Registration.objects.create(session=session, user=animateur, status=RegistrationStatus.WAITING)
    registered = session.registrations.get(user=member)
    url = reverse("offer:session_registrations", args=[session.pk])
    page = staff_client.get(url)
    assert page.status_code == 200 and member.email in page.content.decode()
    assert staff_client.post(url, {f"r{registered.pk}": "1"}).status_code == 302
    registered.refresh_from_db()
    assert registered.attended is True
    with pytest.raises(ClefopError):
        services.record_attendance(session=session, attended={waiting.pk: True})
    response = staff_client.get(reverse("offer:session_registrations_export", args=[session.pk]), {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][2] == member.email and rows[1][5] == "présent·e"
    assert rows[2][2] == animateur.email and rows[2][3] == "Liste d’attente"
    # Documents afterwards: content checked, shared with the registered people only.
    upload = io.BytesIO(b"MZ\x90\x00fake executable")
    upload.name = "programme.pdf"
    staff_client.post(reverse("offer:session_document_upload", args=[session.pk]), {"file": upload})
    assert session.documents.count() == 0
    upload = io.BytesIO(b"%PDF-1.4\n%%EOF\n")
    upload.name = "supports.pdf"
    staff_client.post(
        reverse("offer:session_document_upload", args=[session.pk]), {"file": upload, "title": "Supports"}
    )
    document = session.documents.get()
    assert Notice.objects.filter(user=member, message__contains="Supports").exists()
    assert not Notice.objects.filter(user=animateur, message__contains="Supports").exists()
    from django.test import Client

    reader = Client()
    reader.force_login(member)
    response = reader.get(document.get_download_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    outsider = Client()
    outsider.force_login(animateur)
    assert outsider.get(document.get_download_url()).status_code == 404


def test_ical_feed_contains_the_registration(client, role_user):
    member = role_user("member")
    session = SessionFactory(title="Atelier iCal", video_url="https://visio.exemple.fr/x")
    waiting_session = SessionFactory(title="Complet", capacity=1)
    Registration.objects.create(session=waiting_session, user=role_user("cochair"), status="registered")
    services.register(session=session, user=member)
    services.register(session=waiting_session, user=member)
    token = regenerate_token(user=member).token
    response = client.get(reverse("clefop:my_feed", args=[token]))
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    event = events[f"session-{session.pk}@portail-srefop"]
    assert "Atelier iCal" in str(event["summary"]) and str(event["status"]) == "CONFIRMED"
    assert event.decoded("dtstart") == session.start.replace(microsecond=0)
    assert event["dtstart"].params["TZID"] == event["dtend"].params["TZID"] == "Europe/Paris"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert calendar.get_missing_tzids() == set()
    waiting_event = events[f"session-{waiting_session.pk}@portail-srefop"]
    assert str(waiting_event["status"]) == "TENTATIVE" and "attente" in str(waiting_event["summary"])
    services.cancel_registration(session=session, user=member)
    calendar = icalendar.Calendar.from_ical(client.get(reverse("clefop:my_feed", args=[token])).content)
    assert f"session-{session.pk}@portail-srefop" not in {str(e["uid"]) for e in calendar.walk("VEVENT")}


def test_reminder_the_day_before_once(role_user, django_capture_on_commit_callbacks):
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    session = SessionFactory(title="Demain", start=tomorrow, end=tomorrow + datetime.timedelta(hours=2))
    later = SessionFactory(title="Plus tard", start=tomorrow + datetime.timedelta(days=3))
    member = role_user("member")
    services.register(session=session, user=member)
    services.register(session=later, user=member)
    Registration.objects.create(session=session, user=role_user("cochair"), status=RegistrationStatus.CANCELLED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_session_reminders() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member.email]
    assert "Demain" in mail.outbox[0].subject and "Nantes" in mail.outbox[0].body
    assert send_session_reminders() == 0


# ---------------------------------------------------------------------------------------------- support requests


def test_support_request_workflow_with_notifications_and_history(
    client_for, role_user, django_capture_on_commit_callbacks
):
    animateur, staff = role_user("animateur"), role_user("staff")
    colleague = UserFactory(is_cariforef_staff=True)
    client = client_for("animateur")
    url = reverse("offer:support_create", args=["clefop-44-nan"])
    assert client.post(url, {"kind": "outillage", "need": "court"}).status_code == 400
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        url, {"kind": "outillage", "need": "Un modèle de tableau de bord.", "wished_date": yesterday}
    )
    assert response.status_code == 400 and SupportRequest.objects.count() == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kind": "outillage", "need": "Un modèle de tableau de bord des actions."})
    support = SupportRequest.objects.get()
    assert response.status_code == 302 and support.status == SupportStatus.NEW
    assert [m.to for m in mail.outbox] == [[animateur.email]]
    assert Notice.objects.filter(user=staff, message__contains="Nouvelle demande d’appui").exists()

    staff_client = client_for("staff")
    queue = staff_client.get(reverse("offer:support_queue")).content.decode()
    assert "Outillage" in queue and "Clefop Nantes" in queue
    manage = reverse("offer:support_manage", args=[support.pk])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            manage, {"status": "en_cours", "assignee": colleague.pk, "message": "Je m'en charge."}
        )
    assert response.status_code == 302
    support.refresh_from_db()
    assert support.status == "en_cours" and support.assignee == colleague
    assert [m.to for m in mail.outbox] == [[animateur.email]]
    assert "Je m’en charge." in mail.outbox[0].body
    assert Notice.objects.filter(user=colleague, message__contains="vous est confiée").exists()
    # A refusal needs a message; nothing changes without one.
    assert staff_client.post(manage, {"status": "refusee", "message": ""}).status_code == 400
    assert staff_client.post(manage, {"status": "en_cours", "assignee": colleague.pk}).status_code == 400
    support.refresh_from_db()
    assert support.status == "en_cours"
    staff_client.post(manage, {"status": "realisee", "assignee": colleague.pk, "message": "Modèle envoyé."})
    support.refresh_from_db()
    assert support.status == SupportStatus.DONE
    labels = list(support.events.values_list("label", flat=True))
    assert labels[0] == "Demande envoyée" and "Statut : réalisée" in labels[-1] and len(labels) == 3
    notices = Notice.objects.filter(user=animateur).count()
    assert notices == 3  # received, in progress, done
    page = html.unescape(client.get(support.get_absolute_url()).content.decode())
    assert "Réalisée" in page and "Modèle envoyé." in page and "Je m'en charge." in page
    assert "Outillage" in client.get(reverse("offer:support_list")).content.decode()
    # A co-chair cannot ask; another animateur sees nothing of it.
    assert client_for("cochair").get(url).status_code == 404
    assert client_for("member").get(support.get_absolute_url()).status_code == 404


def test_support_can_only_be_assigned_to_staff(role_user):
    support = services.create_support_request(
        body=clefop("44-NAN"), requester=role_user("animateur"), kind="autre", need="Un besoin bien décrit."
    )
    with pytest.raises(ClefopError, match="équipe du Carif-Oref"):
        services.update_support_request(request=support, by=role_user("staff"), assignee=role_user("member"))


# ---------------------------------------------------------------------------------------------- roadmaps link


def test_action_names_dispositifs_and_dispositif_page_lists_public_actions(client, client_for):
    from tests.roadmaps.factories import ActionFactory, roadmap_with
    from tests.roadmaps.test_actions import action_url, edit_data

    here = DispositifFactory(name="Ici", territories=[territory("44-NAN")])
    elsewhere = DispositifFactory(name="Ailleurs", territories=[territory("49-ANG")])
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED)
    action = ActionFactory(roadmap=roadmap, priority=roadmap.priorities.first(), title="Bus des métiers")
    member = client_for("member")
    form = member.get(action_url("action_edit", action)).context["form"]
    assert set(form.fields["dispositifs"].queryset) == {here}
    response = member.post(action_url("action_edit", action), edit_data(action, dispositifs=[here.pk]))
    assert response.status_code == 302
    assert list(action.dispositifs.all()) == [here]
    assert (
        member.post(action_url("action_edit", action), edit_data(action, dispositifs=[elsewhere.pk])).status_code == 400
    )
    assert "Ici" in member.get(action_url("action_detail", action)).content.decode()
    # The dispositif page lists the action: anonymous readers go to the public roadmap page.
    page = client.get(here.get_absolute_url()).content.decode()
    assert "Bus des métiers" in page and roadmap.get_public_url() in page
    assert action.get_absolute_url() in member.get(here.get_absolute_url()).content.decode()
    # A restricted action stays hidden from people outside the Clefop.
    action.restricted = True
    action.save()
    assert "Bus des métiers" not in client.get(here.get_absolute_url()).content.decode()
    assert "Bus des métiers" not in client_for("other_member").get(here.get_absolute_url()).content.decode()
    assert "Bus des métiers" in member.get(here.get_absolute_url()).content.decode()


def test_staff_tiles_and_demo_are_labelled(staff_client):
    from offer.demo import load_offer_demo

    content = html.unescape(staff_client.get(reverse("staff_home")).content.decode())
    assert "Demandes d’appui" in content and "Sessions de professionnalisation" in content
    for _ in range(6):
        UserFactory(is_demo=True)
    load_offer_demo()
    assert load_offer_demo() == "offre de services déjà chargée"
    assert Dispositif.objects.filter(is_demo=True).count() >= 40
    assert Dispositif.objects.filter(is_demo=False).count() == 0
    assert all("démonstration" in d.description for d in Dispositif.objects.all())
    assert {d.level for d in Dispositif.objects.all()} == set(DispositifLevel.values)
    full = Session.objects.filter(registrations__status="waiting", is_demo=True).distinct()
    assert full.count() == 1, "une session complète avec liste d'attente"


@pytest.mark.parametrize("count", [0, 1, 2])
def test_review_reminder_wording_counts_the_dispositifs(count, role_user, django_capture_on_commit_callbacks):
    member = role_user("member")
    organisation = member.memberships.get().organisation
    Dispositif.objects.all().delete()
    for i in range(count):
        DispositifFactory(name=f"Ancien {i}", carrier=organisation, last_reviewed_on=datetime.date(2020, 1, 1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_review_reminders() == (1 if count else 0)
    if not count:
        assert mail.outbox == []
        return
    body = next(m.body for m in mail.outbox if m.to == [member.email])
    if count == 1:
        assert "1 dispositif que vous pouvez modifier n’a pas été revu" in body
        assert "Vérifiez-le puis confirmez qu’il est à jour." in body
    else:
        assert "2 dispositifs que vous pouvez modifier n’ont pas été revus" in body
        assert "Vérifiez-les puis confirmez qu’ils sont à jour." in body
    assert "dispositif(s)" not in body
