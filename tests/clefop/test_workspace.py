import pytest
from django.urls import reverse

from clefop.models import Body, BodyKind, Membership, Position
from tests.clefop.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_body_home_shows_members_meetings_documents_groups(client_for, workspace):
    html = client_for("observer").get(workspace["body"].get_absolute_url()).content.decode()
    assert "Prochaines réunions" in html and "Plénière" in html
    assert "Diagnostic" in html and workspace["group"].name in html
    assert str(workspace["membership"].user) in html
    assert "Inviter une personne" not in html
    assert "Inviter une personne" in client_for("animateur").get(workspace["body"].get_absolute_url()).content.decode()


def test_member_list_shows_position_and_organisation(client_for, workspace):
    membership = workspace["membership"]
    html = client_for("member").get(reverse("clefop:body_members", args=[workspace["body"].slug])).content.decode()
    assert membership.organisation.name in html and "Membre" in html
    assert "invitee@exemple.fr" not in html  # invitations are for managers
    assert (
        "invitee@exemple.fr"
        in client_for("animateur").get(reverse("clefop:body_members", args=[workspace["body"].slug])).content.decode()
    )


def test_animateur_ends_a_membership_kept_in_history(client_for, workspace, role_user):
    membership = workspace["membership"]
    client = client_for("animateur")
    url = reverse("clefop:membership_end", args=[workspace["body"].slug, membership.pk])
    assert client.post(url).status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active and membership.ended_by == role_user("animateur")
    assert Membership.objects.filter(pk=membership.pk).exists()
    html = client.get(reverse("clefop:body_members", args=[workspace["body"].slug])).content.decode()
    assert "Historique" in html and str(membership.user) in html
    assert client.post(url).status_code == 404  # no longer active


def test_member_leaves_and_loses_access(client_for, nantes):
    client = client_for("member")
    assert client.post(reverse("clefop:body_leave", args=[nantes.slug])).status_code == 302
    assert client.get(nantes.get_absolute_url()).status_code == 404


def test_animateur_creates_working_group_readable_by_members(client_for, nantes):
    client = client_for("animateur")
    response = client.post(
        reverse("clefop:working_group_create", args=[nantes.slug]), {"name": "Mobilité", "description": "Freins"}
    )
    assert response.status_code == 302
    group = Body.objects.get(kind=BodyKind.WORKING_GROUP, name="Mobilité")
    assert group.parent == nantes
    assert client_for("member").get(group.get_absolute_url()).status_code == 200
    assert client_for("other_member").get(group.get_absolute_url()).status_code == 404
    again = client.post(reverse("clefop:working_group_create", args=[nantes.slug]), {"name": "mobilité"})
    assert again.status_code == 400 and Body.objects.filter(name__iexact="mobilité").count() == 1


def test_my_bodies_lists_memberships_and_followed_clefops(client_for):
    html = client_for("member").get(reverse("clefop:my_bodies")).content.decode()
    assert "Clefop Nantes" in html
    html = client_for("cdefop").get(reverse("clefop:my_bodies")).content.decode()
    assert "Clefop suivis" in html and "Clefop Nantes" in html and "Clefop Angers" not in html
    assert (
        "Vous n’êtes membre d’aucune instance" in client_for("user").get(reverse("clefop:my_bodies")).content.decode()
    )


def test_territory_panel_shows_cochairs_and_workspace_link(client, client_for, nantes):
    cochair = MembershipFactory(body=nantes, position=Position.COCHAIR, role_label="Sous-préfète")
    url = reverse("territories:detail", args=["44-NAN"])
    html = client.get(url).content.decode()
    assert "Co-présidence" in html and "Sous-préfète" in html and str(cochair.user) in html
    assert "Espace de travail du Clefop" not in html
    assert "Espace de travail du Clefop" in client_for("member").get(url).content.decode()


def test_body_panels_hook(client_for, nantes, monkeypatch):
    from clefop import panels

    def body_panels(request, body):
        return [
            {
                "template": "clefop/panels/territory_clefop.html",
                "context": {"body": body, "summary": "Co-présidence non renseignée", "can_read": False},
                "order": 1,
            }
        ]

    monkeypatch.setattr(panels, "implementations", lambda name: iter([(None, body_panels)]))
    html = client_for("member").get(nantes.get_absolute_url()).content.decode()
    assert "Co-présidence non renseignée" in html


def test_body_detail_query_count_is_constant(client_for, nantes):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("member")
    client.get(nantes.get_absolute_url())
    with CaptureQueriesContext(connection) as small:
        client.get(nantes.get_absolute_url())
    for _ in range(10):
        MembershipFactory(body=nantes)
    # The writes renew the cached account and positions of the reader (tests/common/test_chrome.py): read once.
    client.get(nantes.get_absolute_url())
    with CaptureQueriesContext(connection) as large:
        client.get(nantes.get_absolute_url())
    assert len(large) == len(small)
