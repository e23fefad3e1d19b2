"""The offre de services journey, as new users would: a Clefop member finds the dispositifs available in their
territory for a public and a theme, names one in an action of the roadmap, registers to a full session (waiting
list); an animateur's support request goes through the staff queue to "réalisée" with notifications.
axe-core finds no violation on each page."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from clefop.models import Position
from offer.models import Registration, SupportRequest
from roadmaps.models import RoadmapStatus
from territories.models import Territory
from tests.accounts.factories import StaffFactory, UserFactory
from tests.browser.conftest import assert_accessible, login
from tests.clefop.factories import MembershipFactory, OrganisationFactory, clefop
from tests.offer.factories import DispositifFactory, SessionFactory
from tests.roadmaps.factories import ActionFactory, roadmap_with
from tests.second_factor import sign_in

pytestmark = pytest.mark.browser


def _signed_in_context(page, user):
    """Staff sign in with a second factor: the browser gets a session opened by the test client."""
    client = Client()
    sign_in(client, user)
    context = page.context.browser.new_context(locale="fr-FR", bypass_csp=True)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": page.base_url,
            }
        ]
    )
    return context


def test_offer_journey(page):
    base = page.base_url
    nantes, angers = Territory.objects.get(code="44-NAN"), Territory.objects.get(code="49-ANG")
    member = UserFactory(email="membre@exemple.fr")
    MembershipFactory(user=member, body=clefop("44-NAN"), position=Position.MEMBER)
    animateur = UserFactory(email="animatrice@exemple.fr", first_name="Anne", last_name="Animatrice")
    MembershipFactory(user=animateur, body=clefop("44-NAN"), position=Position.ANIMATEUR)
    staff = StaffFactory(email="equipe@exemple.fr", first_name="Camille", last_name="Équipe")
    region = OrganisationFactory(name="Région Pays de la Loire", kind="region")
    DispositifFactory(name="Chèque mobilité formation", carrier=region, publics=["jeunes"], themes=["mobilite"])
    DispositifFactory(name="Scooters solidaires", territories=[nantes], publics=["jeunes"], themes=["mobilite"])
    DispositifFactory(name="Navette d'Angers", territories=[angers], publics=["jeunes"], themes=["mobilite"])
    DispositifFactory(name="Tutorat seniors", publics=["seniors"], themes=["recrutement"])
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED)
    action = ActionFactory(roadmap=roadmap, priority=roadmap.priorities.first(), title="Lever les freins de mobilité")
    start = timezone.now() + datetime.timedelta(days=7)
    session = SessionFactory(title="Animer un Clefop", capacity=1, start=start, end=start + datetime.timedelta(hours=3))
    Registration.objects.create(session=session, user=UserFactory(), status="registered")

    # 1. The member finds the dispositifs of Nantes for young people and mobility.
    login(page, "membre@exemple.fr")
    page.goto(base + "/offre-de-services/")
    assert_accessible(page)
    page.get_by_label("Territoire").select_option(label="Nantes")
    page.get_by_label("Public").select_option(label="Jeunes")
    page.get_by_label("Thématique").select_option(label="Mobilité")
    page.get_by_role("button", name="Filtrer", exact=True).click()
    page.wait_for_load_state()
    results = page.locator(".srefop-offer-results")
    assert "2 dispositifs" in results.inner_text()
    assert results.get_by_role("link", name="Scooters solidaires").is_visible()
    assert results.get_by_role("link", name="Navette d'Angers").count() == 0
    assert results.get_by_role("link", name="Tutorat seniors").count() == 0
    assert_accessible(page)
    results.get_by_role("link", name="Scooters solidaires").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Scooters solidaires", level=1).is_visible()
    assert_accessible(page)

    # 2. They name it in an action of the Clefop's roadmap; the dispositif page then lists the action.
    page.goto(base + action.get_absolute_url())
    page.get_by_role("link", name="Modifier").first.click()
    page.wait_for_load_state()
    assert_accessible(page)
    select = page.get_by_label("Dispositifs mobilisés (offre de services)")
    option = select.locator("option", has_text="Scooters solidaires")
    select.select_option(value=option.get_attribute("value"))
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert "Action enregistrée" in page.content()
    assert page.get_by_role("link", name="Scooters solidaires").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Scooters solidaires").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Lever les freins de mobilité").is_visible()

    # 3. They register to a full session: waiting list.
    page.goto(base + "/offre-de-services/sessions/")
    assert_accessible(page)
    page.get_by_role("link", name="Animer un Clefop").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="M’inscrire sur la liste d’attente").click()
    page.wait_for_load_state()
    assert "vous êtes sur la liste d’attente" in page.content()
    assert page.get_by_text("Liste d’attente : position 1").is_visible()
    assert_accessible(page)
    assert Registration.objects.get(session=session, user=member).status == "waiting"

    # 4. The animateur asks the Cariforef for support.
    animateur_context = page.context.browser.new_context(locale="fr-FR", bypass_csp=True)
    other = animateur_context.new_page()
    other.base_url = base
    try:
        login(other, "animatrice@exemple.fr")
        other.goto(base + "/appuis/")
        assert_accessible(other)
        other.get_by_role("link", name="Clefop Nantes").click()
        other.wait_for_load_state()
        assert_accessible(other)
        other.get_by_label("Type d’appui").select_option(label="Outillage")
        other.get_by_label("Votre besoin").fill("Un modèle de tableau de bord pour suivre nos fiches actions.")
        other.get_by_role("button", name="Envoyer la demande").click()
        other.wait_for_load_state()
        assert other.get_by_role("heading", name="Demande d’appui : Outillage").is_visible()
        assert_accessible(other)
        support = SupportRequest.objects.get()

        # 5. Staff take it from the queue to "réalisée".
        staff_context = _signed_in_context(page, staff)
        desk = staff_context.new_page()
        try:
            desk.goto(base + "/gestion/appuis/")
            assert_accessible(desk)
            desk.get_by_role("link", name="Outillage").click()
            desk.wait_for_load_state()
            assert_accessible(desk)
            desk.get_by_label("Confier à").select_option(label="Camille Équipe")
            desk.get_by_label("Statut").select_option(label="En cours")
            desk.get_by_label("Message à la personne").fill("Je vous envoie un modèle cette semaine.")
            desk.get_by_role("button", name="Enregistrer et prévenir").click()
            desk.wait_for_load_state()
            assert "la personne est prévenue" in desk.content()
            desk.get_by_label("Statut").select_option(label="Réalisée")
            desk.get_by_label("Message à la personne").fill("Modèle envoyé par courriel.")
            desk.get_by_role("button", name="Enregistrer et prévenir").click()
            desk.wait_for_load_state()
            assert_accessible(desk)
        finally:
            staff_context.close()
        support.refresh_from_db()
        assert support.status == "realisee" and support.assignee == staff

        other.goto(base + support.get_absolute_url())
        content = other.content()
        assert "Réalisée" in content and "Modèle envoyé par courriel." in content
        assert_accessible(other)
        other.goto(base + "/notifications/")
        assert "réalisée" in other.content()
        assert_accessible(other)
    finally:
        animateur_context.close()
