"""History of actions and priorities: links (m2m) are kept with each version, shown in French and restored."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.html import escape

from clefop.models import Membership
from roadmaps import services
from roadmaps.history import entries_for
from roadmaps.models import Action, AmbitionSheet, Challenge, NafDivision, Priority, Recommendation, RomeCode
from tests.clefop.factories import MembershipFactory
from tests.offer.factories import DispositifFactory

from .factories import RecommendationFactory, roadmap_with

pytestmark = pytest.mark.django_db


def action_url(name, action, *args):
    return reverse(f"roadmaps:{name}", args=[action.roadmap.body.slug, action.pk, *args])


ACTION_LINKS = ["recommendations", "dispositifs", "pilots", "rome_codes", "naf_divisions"]


def links(action):
    return {
        "recommendations": set(action.recommendations.values_list("pk", flat=True)),
        "dispositifs": set(action.dispositifs.values_list("pk", flat=True)),
        "pilots": set(action.pilots.values_list("pk", flat=True)),
        "rome_codes": set(action.rome_codes.values_list("pk", flat=True)),
        "naf_divisions": set(action.naf_divisions.values_list("pk", flat=True)),
    }


@pytest.fixture
def setup(role_user):
    roadmap = roadmap_with(priorities=1)
    member = role_user("member")
    member.first_name, member.last_name = "Aïcha", "Benali"
    member.save()
    pilot = MembershipFactory(body=roadmap.body, user__first_name="Léon", user__last_name="Pilote").user
    first, second = (
        RecommendationFactory(title="Lever les freins à la mobilité"),
        RecommendationFactory(title="Former aux métiers du soin"),
    )
    dispositif = DispositifFactory(name="Permis à un euro")
    action = services.create_action(
        roadmap=roadmap,
        user=member,
        data={
            "priority": roadmap.priorities.get(),
            "title": "Mobilité des jeunes",
            "status": "planned",
            "progress": 0,
            "recommendations": [first],
            "dispositifs": [dispositif],
            "pilots": [pilot],
            "rome_codes": list(RomeCode.objects.filter(code__in=["J1501", "N4101"])),
            "naf_divisions": list(NafDivision.objects.filter(code="49")),
        },
    )
    return {
        "roadmap": roadmap,
        "member": member,
        "pilot": pilot,
        "first": first,
        "second": second,
        "dispositif": dispositif,
        "action": action,
    }


def test_a_save_with_links_is_one_version_holding_fields_and_links(setup):
    action, member = setup["action"], setup["member"]
    assert action.history.count() == 1
    created = action.history.get()
    assert created.history_type == "+" and created.history_user == member
    assert set(created.recommendations.values_list("recommendation_id", flat=True)) == {setup["first"].pk}

    services.update_action(
        action=action,
        data={
            "priority": action.priority,
            "title": "Mobilité des jeunes ruraux",
            "recommendations": [setup["second"]],
            "dispositifs": [],
        },
        expected_version=1,
        user=member,
    )
    assert action.history.count() == 2
    latest = action.history.latest()
    assert latest.history_type == "~" and latest.history_user == member and latest.title == "Mobilité des jeunes ruraux"
    assert set(latest.recommendations.values_list("recommendation_id", flat=True)) == {setup["second"].pk}
    assert not latest.dispositifs.exists()
    # Links left out of the data are untouched, and kept in the new version.
    assert latest.pilots.get().user_id == setup["pilot"].pk


def test_history_page_shows_link_changes_in_french_with_who_and_when(setup, client_for):
    action, member = setup["action"], setup["member"]
    services.update_action(
        action=action,
        data={"priority": action.priority, "recommendations": [setup["first"], setup["second"]], "dispositifs": []},
        expected_version=1,
        user=member,
    )
    entry = entries_for([(Action, list(action.history.all()))])[0]
    assert entry.history_type == "Modification"
    changes = {change.label: change for change in entry.changes}
    assert set(changes) == {"Préconisations", "Dispositifs mobilisés"}
    first, second = setup["first"], setup["second"]
    assert changes["Préconisations"].old == f"{first.code} — Lever les freins à la mobilité"
    assert changes["Préconisations"].new == "\n".join(sorted([str(first), str(second)], key=str.casefold))
    assert changes["Dispositifs mobilisés"].old == "Permis à un euro" and changes["Dispositifs mobilisés"].new == "—"

    page = client_for("member").get(action_url("action_history", action)).content.decode()
    assert "Préconisations" in page and "Former aux métiers du soin" in page and "Permis à un euro" in page
    assert "Métiers" in page and "Pilotes" in page and "Léon Pilote" in page  # the creation lists every link
    assert "par Aïcha Benali" in page


def test_restore_brings_links_back_as_one_new_version(setup, client_for):
    action, member = setup["action"], setup["member"]
    before = links(action)
    services.update_action(
        action=action,
        data={
            "priority": action.priority,
            "title": "Autre intitulé",
            "recommendations": [setup["second"]],
            "dispositifs": [],
            "pilots": [],
            "rome_codes": [],
            "naf_divisions": [],
        },
        expected_version=1,
        user=member,
    )
    first_version = action.history.earliest()
    response = client_for("animateur").post(action_url("action_restore", action, first_version.history_id))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "Mobilité des jeunes" and action.version == 3
    assert links(action) == before
    assert action.history.count() == 3
    restored = action.history.latest()
    assert restored.history_change_reason.startswith("Restauration de la version du ")
    assert set(restored.recommendations.values_list("recommendation_id", flat=True)) == {setup["first"].pk}
    entry = entries_for([(Action, list(action.history.all()))])[0]
    assert {c.label for c in entry.changes} >= {"Intitulé", "Préconisations", "Dispositifs mobilisés", "Pilotes"}


def test_restore_reports_what_disappeared_and_restores_the_rest(setup, client_for):
    action, member, pilot = setup["action"], setup["member"], setup["pilot"]
    services.update_action(
        action=action,
        data={"priority": action.priority, "recommendations": [], "pilots": [], "dispositifs": []},
        expected_version=1,
        user=member,
    )
    Membership.objects.filter(user=pilot, body=action.roadmap.body).delete()  # the pilot left the Clefop
    setup["first"].delete()  # the préconisation is gone from the referential
    response = client_for("animateur").post(
        action_url("action_restore", action, action.history.earliest().history_id), follow=True
    )
    page = response.content.decode()
    assert "La version choisie a été restaurée" in page
    assert "n’est plus proposé pour cette action n’a pas été remis" in page
    assert "pilotes : Léon Pilote" in page and "préconisations : élément supprimé depuis" in page
    action.refresh_from_db()
    current = links(action)
    assert current["dispositifs"] == {setup["dispositif"].pk} and current["pilots"] == set()
    assert current["recommendations"] == set()


def test_restore_never_links_a_deleted_organisation(setup, client_for):
    from tests.clefop.factories import OrganisationFactory

    action, member = setup["action"], setup["member"]
    organisation = OrganisationFactory()
    services.update_action(
        action=action,
        data={"priority": action.priority, "pilot_organisation": organisation},
        expected_version=1,
        user=member,
    )
    version = action.history.latest()
    services.update_action(
        action=action, data={"priority": action.priority, "pilot_organisation": None}, expected_version=2, user=member
    )
    organisation.delete()
    restored = services.restore_action_version(action=action, history_id=version.history_id, user=member)
    assert restored.missing == ["la structure pilote (supprimée depuis)"]
    action.refresh_from_db()
    assert action.pilot_organisation_id is None and action.version == 4


def test_priority_links_show_in_the_roadmap_history(setup, client_for):
    roadmap, member = setup["roadmap"], setup["member"]
    priority = roadmap.priorities.get()
    challenge = Challenge.objects.order_by("order").first()
    sheet = AmbitionSheet.objects.order_by("order").first()
    services.update_priority(
        priority=priority, title=priority.title, user=member, challenges=[challenge], sheets=[sheet]
    )
    assert priority.history.count() == 2
    page = client_for("observer").get(reverse("roadmaps:roadmap_history", args=[roadmap.body.slug, roadmap.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Enjeux" in text and escape(challenge.title) in text
    assert "Fiches-ambitions" in text and escape(sheet.title) in text


def test_a_revision_copies_links_with_one_version_per_object(setup, role_user):
    from roadmaps.models import RoadmapStatus

    roadmap = setup["roadmap"]
    roadmap.status = RoadmapStatus.ADOPTED
    roadmap.save()
    revision = services.revise_roadmap(roadmap=roadmap, user=role_user("animateur"))
    copy = revision.actions.get()
    assert links(copy) == links(setup["action"])
    assert copy.history.count() == 1 and copy.history.get().history_type == "+"
    assert copy.history.get().recommendations.count() == 1
    assert revision.priorities.get().history.count() == 1


def test_links_changed_from_the_other_side_are_recorded_on_the_action(setup):
    action, dispositif = setup["action"], DispositifFactory(name="Garage solidaire")
    dispositif.actions.add(action)
    assert action.history.count() == 2
    assert set(action.history.latest().dispositifs.values_list("dispositif_id", flat=True)) == {
        setup["dispositif"].pk,
        dispositif.pk,
    }
    dispositif.actions.clear()
    assert action.history.count() == 3
    assert set(action.history.latest().dispositifs.values_list("dispositif_id", flat=True)) == {setup["dispositif"].pk}


def test_history_page_query_count_does_not_grow_with_versions(setup, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    action, member = setup["action"], setup["member"]
    client = client_for("member")
    url = action_url("action_history", action)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    recommendations = list(Recommendation.objects.all()[:12])
    for version in range(1, 12):
        services.update_action(
            action=action,
            data={"priority": action.priority, "title": f"V{version}", "recommendations": recommendations[:version]},
            expected_version=version,
            user=member,
        )
    client.get(url)  # the writes changed the data versions: warm the cached lookups, account and positions again
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(one)


def test_backfill_gives_earlier_versions_the_current_links(setup):
    action, priority = setup["action"], Priority.objects.get(roadmap=setup["roadmap"])
    services.update_action(
        action=action, data={"priority": action.priority, "title": "Nouveau"}, expected_version=1, user=None
    )
    for model, names in [(Action, ACTION_LINKS), (Priority, ["challenges", "sheets"])]:
        for name in names:  # as before links were tracked
            getattr(model.history.model, name).model.objects.all().delete()
    migration = importlib.import_module("roadmaps.migrations.0004_backfill_history_of_links")
    migration.backfill(apps, None)
    for version in action.history.all():
        assert set(version.recommendations.values_list("recommendation_id", flat=True)) == {setup["first"].pk}
        assert set(version.rome_codes.values_list("romecode_id", flat=True)) == links(action)["rome_codes"]
    assert priority.history.get().challenges.count() == 0
    # Backfilled versions show no invented link change between them.
    latest = entries_for([(Action, list(action.history.all()))])[0]
    assert [c.label for c in latest.changes] == ["Intitulé"]
