"""Personal-data rights: a person with data in every app finds each item in the export (JSON and readable page);
closing the account leaves no personal field behind while governance records stay, shown as « ancien membre »,
and the roadmap history still shows the change."""

import datetime
import json
import uuid

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.sessions.models import Session as HttpSession
from django.core.management import call_command
from django.db import models
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.checks import apps_linking_to_users, personal_data_hooks
from accounts.demo import ensure_totp
from accounts.models import User
from accounts.services import AccountError, close_account, export_personal_data
from clefop.models import CalendarToken, Invitation, MeetingParticipant, Membership, Position
from clefop.services.documents import upload_document
from clefop.services.invitations import accept_as_existing_user, invite
from clefop.services.meetings import create_meeting
from offer import services as offer_services
from offer.models import Dispositif, Registration, SupportRequest
from reperes.models import ImportBatch
from roadmaps import services as roadmap_services
from roadmaps.models import ProgressNote
from srefop_portal.common import notifications
from srefop_portal.common.models import Notice, OutboxMessage
from territories.models import Commune, CompositionChange
from tests.accounts.factories import UserFactory
from tests.clefop.conftest import PDF
from tests.clefop.factories import MembershipFactory, OrganisationFactory, clefop
from tests.offer.factories import DispositifFactory, SessionFactory
from tests.roadmaps.factories import roadmap_with
from veille.models import Subscription, TagCorrection

pytestmark = pytest.mark.django_db

PERSON = {
    "email": "zephirine.quintal@exemple.fr",
    "first_name": "Zéphirine",
    "last_name": "Quintal-Brossard",
    "phone": "06 98 76 54 32",
    "organisation_name": "Cabinet Quintalis",
    "job_title": "Cheffe de projet Zetaplan",
}


@pytest.fixture
def person(staff_user):
    """Zéphirine has data in every app that holds some."""
    user = UserFactory(**PERSON)
    ensure_totp(user)
    nantes = clefop("44-NAN")
    # clefop: invited, accepted, member; attends a meeting, creates one, uploads a document, has a calendar link.
    invitation, _token = invite(body=nantes, email=user.email, position=Position.MEMBER, invited_by=staff_user)
    accept_as_existing_user(invitation=invitation, user=user)
    Membership.objects.filter(user=user).update(role_label="Chargée de mission", organisation=OrganisationFactory())
    start = timezone.now() + datetime.timedelta(days=3)
    meeting = create_meeting(
        body=nantes,
        by=user,
        title="Plénière de printemps",
        kind="plenary",
        mode="in_person",
        place="Nantes",
        start=start,
        end=start + datetime.timedelta(hours=2),
        agenda="Accueil",
    )
    MeetingParticipant.objects.update_or_create(meeting=meeting, user=user, defaults={"status": "present"})
    upload_document(body=nantes, title="Diagnostic partagé", data=PDF, filename="diagnostic.pdf", by=user)
    CalendarToken.objects.create(user=user, token_hash="0" * 64)
    # offre de services: a registration, a support request, a dispositif edited.
    session = SessionFactory(title="Atelier orientation", capacity=1)
    offer_services.register(session=session, user=user)
    waiting = UserFactory()
    offer_services.register(session=session, user=waiting)
    offer_services.create_support_request(body=nantes, requester=user, kind="outillage", need="Un kit d’animation")
    dispositif = DispositifFactory(name="Prépa compétences")
    Dispositif.objects.filter(pk=dispositif.pk).update(updated_by=user)
    # roadmaps: an action created (history), a progress note, piloting.
    roadmap = roadmap_with(priorities=1)
    action = roadmap_services.create_action(
        roadmap=roadmap, user=user, data={"priority": roadmap.priorities.get(), "title": "Forum des métiers"}
    )
    action.pilots.add(user)
    roadmap_services.update_action_status(
        action=action, user=user, status="in_progress", progress=30, comment="Salle réservée"
    )
    # veille, repères, territories, notices.
    TagCorrection.objects.create(
        term="Vue", territory=nantes.territory, kind="exclude", note="Pas la commune", author=user
    )
    subscription = Subscription.objects.create(user=user, frequency="daily")
    subscription.territories.add(nantes.territory)
    ImportBatch.objects.create(created_by=user, filename="valeurs-zeta.csv")
    CompositionChange.objects.create(
        batch=uuid.uuid4(), kind="commune", commune=Commune.objects.first(), reason="Fusion", changed_by=user
    )
    Notice.objects.create(user=user, message="Votre rapport est prêt")
    # the outbox: an e-mail to her alone, one to her and a colleague, one to a colleague that names her.
    colleague = UserFactory(email="collegue@exemple.fr")
    notifications.queue_mail(to=[user.email], subject="Votre export Zetaplan est prêt", body="Bonjour,")
    notifications.queue_mail(
        to=[user.email.upper(), colleague.email], subject="Réunion de printemps", body="Ordre du jour joint."
    )
    notifications.queue_mail(
        to=[colleague.email],
        subject="Nouveau point de suivi",
        body=f"{user.first_name} {user.last_name} ({user.email}) a ajouté un point de suivi.",
    )
    # An in-portal notice to the colleague that names her.
    Notice.objects.create(user=colleague, message=f"{user.first_name} {user.last_name} a commenté l’action « Forum »")
    return {
        "user": user,
        "action": action,
        "roadmap": roadmap,
        "session": session,
        "waiting": waiting,
        "meeting": meeting,
        "body": nantes,
    }


def test_export_contains_each_item(client, person):
    user = person["user"]
    data = export_personal_data(user=user)
    json.dumps(data)  # JSON-serialisable as it is
    assert data["compte"]["telephone"] == PERSON["phone"] and data["compte"]["double_authentification"] == ["totp"]
    clefop_data = {**data["clefop"], **data["offer"]}
    assert [m["instance"] for m in clefop_data["appartenances"]] == [person["body"].name]
    assert clefop_data["appartenances"][0]["qualite"] == "Chargée de mission"
    assert clefop_data["invitations_recues"][0]["statut"] == "acceptée"
    assert clefop_data["presences_aux_reunions"][0]["reunion"] == "Plénière de printemps"
    assert clefop_data["reunions_creees"][0]["reunion"] == "Plénière de printemps"
    assert clefop_data["documents_deposes"][0]["fichier"] == "diagnostic.pdf"
    assert clefop_data["calendrier_personnel"] == {"lien_actif": True}
    assert clefop_data["inscriptions_aux_sessions"][0]["session"] == "Atelier orientation"
    assert clefop_data["demandes_d_appui"][0]["besoin"] == "Un kit d’animation"
    assert clefop_data["dispositifs_modifies"][0]["dispositif"] == "Prépa compétences"
    roadmaps = data["roadmaps"]
    assert roadmaps["actions_pilotees"][0]["action"] == "Forum des métiers"
    assert roadmaps["points_de_suivi"][0]["commentaire"] == "Salle réservée"
    assert {h["intitule"] for h in roadmaps["historique"]} == {"Forum des métiers"}
    assert data["veille"]["abonnement"]["frequence"] == "Quotidienne"
    assert data["veille"]["corrections_d_etiquetage"][0]["motif"] == "Pas la commune"
    assert data["veille"]["abonnement"]["territoires"] == [person["body"].territory.name]
    assert data["reperes"]["imports_de_reperes"][0]["fichier"] == "valeurs-zeta.csv"
    assert data["territories"]["modifications_de_composition"][0]["motif"] == "Fusion"
    assert data["notifications"][0]["message"] == "Votre rapport est prêt"
    subjects = [m["objet"] for m in data["common"]["courriels"]]
    assert (
        "[Portail Srefop] Votre export Zetaplan est prêt" in subjects
        and "[Portail Srefop] Réunion de printemps" in subjects
    )
    assert "[Portail Srefop] Nouveau point de suivi" not in subjects  # addressed to someone else

    client.force_login(user)
    downloaded = client.get(reverse("accounts:personal_data_json"))
    assert downloaded["Content-Disposition"].startswith("attachment;")
    assert json.loads(downloaded.content)["offer"]["demandes_d_appui"][0]["besoin"] == "Un kit d’animation"
    page = client.get(reverse("accounts:personal_data")).content.decode()
    for text in (
        "Appartenances aux instances",
        "Plénière de printemps",
        "diagnostic.pdf",
        "Atelier orientation",
        "Un kit d’animation",
        "Prépa compétences",
        "Salle réservée",
        "Quotidienne",
        "valeurs-zeta.csv",
        "Fusion",
        "Votre rapport est prêt",
        PERSON["phone"],
        "Historique des modifications",
        "Courriels que le portail vous a adressés",
        "Votre export Zetaplan est prêt",
    ):
        assert text in page, text


def personal_traces(values) -> list[str]:
    """Every text field of every table that still holds one of the values."""
    found = []
    for model in apps.get_models():
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        query = Q()
        for field in fields:
            for value in values:
                query |= Q(**{f"{field.name}__icontains": value})
        if model.objects.filter(query).exists():
            found.append(model._meta.label)
    return found


def test_closing_the_account_erases_personal_fields_and_keeps_governance_records(client, person, role_user):
    user, action = person["user"], person["action"]
    signed_in = Client()
    signed_in.force_login(user)
    assert personal_traces(PERSON.values())  # the scan finds them before

    response = signed_in.post(reverse("accounts:delete"), {"password": "mot-de-passe-solide-2026", "confirm": "on"})
    assert response.status_code == 302

    user = User.objects.get(pk=user.pk)  # the row stays, for the records' links
    assert personal_traces(PERSON.values()) == []
    # The outbox: her e-mail deleted, her address out of the shared one, her name out of the colleague's.
    assert not OutboxMessage.objects.filter(subject__contains="Zetaplan").exists()
    assert OutboxMessage.objects.get(subject__contains="Réunion de printemps").to == ["collegue@exemple.fr"]
    named = OutboxMessage.objects.get(subject__contains="Nouveau point de suivi").body
    assert named.startswith("ancien membre (ancien membre) a ajouté un point de suivi.")
    # The colleague's notice names « ancien membre ».
    assert (
        Notice.objects.get(user__email="collegue@exemple.fr").message == "ancien membre a commenté l’action « Forum »"
    )
    assert (user.first_name, user.last_name, user.phone, user.organisation_name, user.job_title) == ("",) * 5
    assert user.email.endswith(".invalid") and "zephirine" not in user.email
    assert not user.is_active and not user.has_usable_password() and user.closed_at
    assert str(user) == user.get_full_name() == "ancien membre"
    assert not user.emailaddress_set.exists() and not Authenticator.objects.filter(user=user).exists()
    assert [s for s in HttpSession.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)] == []
    assert signed_in.get(reverse("accounts:profile")).status_code == 302  # signed out everywhere
    for model in (Subscription, CalendarToken, Registration, Notice):
        assert not model.objects.filter(user=user).exists(), model
    # The place freed goes to the person waiting.
    assert Registration.objects.get(user=person["waiting"]).status == "registered"
    # Governance records stay, authored by « ancien membre ».
    membership = Membership.objects.get(user=user)
    assert membership.end_date == timezone.localdate()
    assert MeetingParticipant.objects.filter(user=user).exists()
    assert SupportRequest.objects.get(requester=user).need == "Un kit d’animation"
    assert ProgressNote.objects.get(author=user).comment == "Salle réservée"
    assert list(action.pilots.all()) == [user]
    assert ImportBatch.objects.filter(created_by=user).exists()
    assert Invitation.objects.get(accepted_by=user).email == user.email
    # The roadmap history still shows the change, by « ancien membre ».
    reader = role_user("member")
    MembershipFactory(user=reader, body=person["body"])
    client.force_login(reader)
    history = client.get(reverse("roadmaps:action_history", args=[person["body"].slug, action.pk])).content.decode()
    assert "Forum des métiers" in history and "par ancien membre" in history
    assert PERSON["last_name"] not in history
    detail = client.get(action.get_absolute_url()).content.decode()
    assert "ancien membre" in detail and PERSON["last_name"] not in detail
    # A closed account cannot sign in again.
    assert Client().post(reverse("account_login"), {"login": user.email, "password": "x"}).status_code == 200


def test_closing_needs_the_password_and_leaves_everything_when_refused(client, person):
    user = person["user"]
    client.force_login(user)
    response = client.post(reverse("accounts:delete"), {"password": "faux", "confirm": "on"})
    assert response.status_code == 400 and "Mot de passe incorrect" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active and user.email == PERSON["email"] and user.closed_at is None
    assert Subscription.objects.filter(user=user).exists()


def test_a_technical_admin_account_is_not_closed_from_the_portal(person):
    user = person["user"]
    User.objects.filter(pk=user.pk).update(is_superuser=True)
    user.refresh_from_db()
    with pytest.raises(AccountError, match="administration technique"):
        close_account(user=user)
    user.refresh_from_db()
    assert user.is_active and Subscription.objects.filter(user=user).exists()


def test_every_app_linking_to_people_declares_its_personal_data():
    assert {"clefop", "offer", "roadmaps", "reperes", "veille", "territories"} <= apps_linking_to_users()
    assert personal_data_hooks() == []
    call_command("check")
