import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from clefop.models import Invitation, Membership, Position, perimeter_of
from clefop.services import ClefopError
from clefop.services.invitations import hash_token, invite
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=False)


def _link(message) -> str:
    for line in message.body.splitlines():
        if "/instances/invitation/" in line:
            return line.strip().split("testserver")[-1]
    raise AssertionError("no link")


def test_animateur_invites_and_new_person_creates_account(client_for, django_capture_on_commit_callbacks, nantes):
    animateur = client_for("animateur")
    with django_capture_on_commit_callbacks(execute=True):
        response = animateur.post(
            reverse("clefop:invitation_create", args=[nantes.slug]),
            {"email": "Nouvelle.Personne@Exemple.fr", "position": "member", "first_name": "Lou"},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nouvelle.personne@exemple.fr"]
    assert message.alternatives and "text/html" in message.alternatives[0][1]
    link = _link(message)
    invitation = Invitation.objects.get()
    token = link.rstrip("/").split("/")[-1]
    assert invitation.token_hash == hash_token(token) and token not in invitation.token_hash
    from django.test import Client

    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200 and "Créer mon compte" in page.content.decode()
    weak = visitor.post(link, {"first_name": "Lou", "last_name": "Durand", "password1": "court", "password2": "court"})
    assert weak.status_code == 400 and not User.objects.filter(email="nouvelle.personne@exemple.fr").exists()
    password = "un-mot-de-passe-solide-2026"
    done = visitor.post(
        link, {"first_name": "Lou", "last_name": "Durand", "password1": password, "password2": password}
    )
    assert done.status_code == 302 and done["Location"] == nantes.get_absolute_url()
    user = User.objects.get(email="nouvelle.personne@exemple.fr")
    assert user.check_password(password)
    assert Membership.objects.active().filter(user=user, body=nantes, position=Position.MEMBER).exists()
    assert visitor.get(nantes.get_absolute_url()).status_code == 200
    assert visitor.get("/instances/clefop-49-ang/").status_code == 404
    # Single use.
    again = Client().get(link)
    assert again.status_code == 410 and "déjà été utilisée" in again.content.decode()


def test_existing_account_must_sign_in_with_the_invited_address(client, nantes, staff_user):
    person = UserFactory(email="deja@exemple.fr")
    invitation, token = invite(body=nantes, email="deja@exemple.fr", position=Position.OBSERVER, invited_by=staff_user)
    url = reverse("clefop:invitation_accept", args=[token])
    assert "Se connecter" in client.get(url).content.decode()
    other = UserFactory()
    client.force_login(other)
    page = client.get(url).content.decode()
    assert "Cette invitation est adressée à deja@exemple.fr" in page
    client.post(url)
    assert not Membership.objects.filter(user=other, body=nantes).exists()
    client.force_login(person)
    response = client.post(url)
    assert response.status_code == 302
    assert Membership.objects.active().filter(user=person, body=nantes, position=Position.OBSERVER).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == person


def test_expired_revoked_and_resent_links(client, nantes, staff_user, django_capture_on_commit_callbacks):
    invitation, token = invite(body=nantes, email="x@exemple.fr", position=Position.MEMBER, invited_by=staff_user)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("clefop:invitation_accept", args=[token]))
    assert response.status_code == 410 and "expiré" in response.content.decode()
    from clefop.services.invitations import resend_invitation, revoke_invitation

    with django_capture_on_commit_callbacks(execute=True):
        new_token = resend_invitation(invitation=invitation)
    assert len(mail.outbox) == 1
    assert client.get(reverse("clefop:invitation_accept", args=[token])).status_code == 404  # old link dead
    assert client.get(reverse("clefop:invitation_accept", args=[new_token])).status_code == 200
    invitation.refresh_from_db()
    assert invitation.send_count == 2 and invitation.is_pending
    revoke_invitation(invitation=invitation)
    assert client.get(reverse("clefop:invitation_accept", args=[new_token])).status_code == 410
    with pytest.raises(ClefopError):
        revoke_invitation(invitation=invitation)


def test_duplicate_invitations_and_members_are_refused(nantes, staff_user, role_user):
    invite(body=nantes, email="y@exemple.fr", position=Position.MEMBER, invited_by=staff_user)
    with pytest.raises(ClefopError, match="déjà en attente"):
        invite(body=nantes, email="Y@exemple.fr", position=Position.MEMBER, invited_by=staff_user)
    member = role_user("member")
    with pytest.raises(ClefopError, match="déjà membre"):
        invite(body=nantes, email=member.email, position=Position.MEMBER, invited_by=staff_user)
    assert Invitation.objects.count() == 1


def test_invalid_invitation_form_shows_errors(client_for, nantes):
    response = client_for("animateur").post(
        reverse("clefop:invitation_create", args=[nantes.slug]), {"email": "pas-une-adresse", "position": "member"}
    )
    assert response.status_code == 400 and Invitation.objects.count() == 0


def test_perimeter_follows_acceptance(nantes, staff_user):
    person = UserFactory(email="z@exemple.fr")
    assert nantes.pk not in perimeter_of(person).positions
    from clefop.services.invitations import accept_as_existing_user

    invitation, _ = invite(body=nantes, email="z@exemple.fr", position=Position.MEMBER, invited_by=staff_user)
    accept_as_existing_user(invitation=invitation, user=person)
    fresh = User.objects.get(pk=person.pk)
    assert perimeter_of(fresh).positions[nantes.pk] == Position.MEMBER
