"""E-mails of a member import: welcome (new account, link to choose a password) or « ajouté·e » (existing account),
sent once the import commits, by a Celery task for large imports, never when the import fails."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse

from accounts.models import User
from clefop.importers import validate_members_file
from clefop.models import Membership, Position
from clefop.services import ClefopError, member_emails
from clefop.services.directory import import_members
from srefop_portal.common import versions
from srefop_portal.common.models import OutboxMessage
from tests.accounts.factories import UserFactory
from tests.clefop.factories import MembershipFactory, clefop

pytestmark = pytest.mark.django_db

HEADER = "email;prenom;nom;instance;fonction;structure;type_structure;departement;qualite\r\n"
LEA = (
    "lea.martin@exemple.fr;Léa;Martin;clefop-44-nan;membre;Mission locale du vignoble;Mission locale;44;Directrice\r\n"
)


def run_import(client, content: str, capture):
    response = client.post(
        reverse("clefop:member_import"), {"file": SimpleUploadedFile("membres.csv", content.encode())}
    )
    token = response.context["token"]
    assert token, response.context["result"].errors
    with capture(execute=True) as callbacks:
        done = client.post(reverse("clefop:member_import_confirm"), {"token": token})
    assert done.status_code == 302
    return callbacks


def only_email(to):
    found = [m for m in mail.outbox if m.to == [to]]
    assert len(found) == 1, [m.subject for m in mail.outbox]
    return found[0]


def html_of(message):
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


def test_a_new_account_gets_a_welcome_email_with_a_link_to_choose_a_password(
    staff_client, staff_user, django_capture_on_commit_callbacks, client
):
    run_import(staff_client, HEADER + LEA, django_capture_on_commit_callbacks)

    message = only_email("lea.martin@exemple.fr")
    body = clefop("44-NAN")
    assert message.subject == f"[Portail Srefop] Bienvenue sur le Portail Srefop — {body.name}"
    text, html = message.body, html_of(message)
    for part in (text, html):
        assert "Bonjour Léa," in part
        assert "Un compte a été ouvert pour vous sur le Portail Srefop" in part
        assert f"{body.name}</a> : membre (Directrice), pour la structure « Mission locale du vignoble »" in part or (
            f"- {body.name} : membre (Directrice), pour la structure « Mission locale du vignoble »" in part
        )
        assert "lea.martin@exemple.fr" in part and "Mot de passe oublié" in part
    assert f"ouvert pour vous sur le Portail Srefop par {staff_user.get_full_name()}." in text
    assert "valable 3 jours, utilisable une seule fois" in text
    assert "{{" not in text and "{%" not in html

    # The link is allauth's: it lets Léa choose a password, then sign in.
    url = re.search(r"http\S+/compte/password/reset/key/\S+/", text).group(0)
    assert url in html
    response = client.get(url[url.index("/compte/") :], follow=True)
    assert response.status_code == 200 and "password1" in response.content.decode()
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"password1": "Vignoble-Nantes-2026!", "password2": "Vignoble-Nantes-2026!"})
    assert response.status_code == 302
    lea = User.objects.get(email="lea.martin@exemple.fr")
    assert lea.check_password("Vignoble-Nantes-2026!")


def test_an_existing_account_is_told_it_was_added_and_gets_one_email_for_several_bodies(
    staff_client, django_capture_on_commit_callbacks
):
    paul = UserFactory(email="paul.roy@exemple.fr", first_name="Paul")
    content = (
        HEADER
        + "paul.roy@exemple.fr;Paul;Roy;clefop-44-nan;observateur;;;;\r\n"
        + "paul.roy@exemple.fr;Paul;Roy;clefop-49-ang;co-président;;;;\r\n"
    )
    run_import(staff_client, content, django_capture_on_commit_callbacks)

    message = only_email(paul.email)
    assert message.subject == "[Portail Srefop] Vous avez été ajouté·e à 2 instances"
    text, html = message.body, html_of(message)
    assert "aux instances suivantes :" in text
    assert f"- {clefop('44-NAN').name} : observateur·rice\n" in text
    assert f"- {clefop('49-ANG').name} : co-président·e\n" in text
    assert "votre mot de passe habituel" in text and "/compte/login/" in text
    assert "password/reset/key" not in text  # Paul already has a password
    assert "Se connecter" in html and clefop("49-ANG").get_absolute_url() in html
    assert len(mail.outbox) == 1


def test_an_existing_account_without_password_gets_the_link_too(staff_client, django_capture_on_commit_callbacks):
    imported_earlier = UserFactory(email="sans.mdp@exemple.fr")
    imported_earlier.set_unusable_password()
    imported_earlier.save()
    run_import(
        staff_client, HEADER + "sans.mdp@exemple.fr;;;clefop-44-nan;membre;;;;\r\n", django_capture_on_commit_callbacks
    )
    message = only_email("sans.mdp@exemple.fr")
    assert message.subject == f"[Portail Srefop] Vous avez été ajouté·e à l’instance {clefop('44-NAN').name}"
    assert "Vous n’avez pas encore choisi de mot de passe" in message.body and "password/reset/key" in message.body


def test_no_email_when_the_import_fails(staff_user, django_capture_on_commit_callbacks):
    result = validate_members_file((HEADER + LEA + "deja@exemple.fr;;;clefop-44-nan;membre;;;;\r\n").encode(), "m.csv")
    assert result.is_valid
    # Between the check and the confirmation, the second person became a member: the whole import is refused.
    MembershipFactory(user=UserFactory(email="deja@exemple.fr"), body=clefop("44-NAN"), position=Position.MEMBER)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ClefopError):
        import_members(members=result.members, by=staff_user)
    assert callbacks == [] and mail.outbox == []
    assert not User.objects.filter(email="lea.martin@exemple.fr").exists()


def test_nothing_is_sent_before_the_transaction_commits(staff_user, django_capture_on_commit_callbacks):
    result = validate_members_file((HEADER + LEA).encode(), "m.csv")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_members(members=result.members, by=staff_user)
        assert mail.outbox == []
    queued = [c for c in callbacks if not isinstance(c, versions._PendingBump)]  # not the data-version bump
    assert len(queued) == 1 and mail.outbox == []  # the e-mail waits in the outbox
    assert OutboxMessage.objects.get().to == ["lea.martin@exemple.fr"]
    queued[0]()
    assert [m.to for m in mail.outbox] == [["lea.martin@exemple.fr"]]


def test_a_large_import_sends_through_the_celery_task(staff_user, django_capture_on_commit_callbacks, monkeypatch):
    from clefop import tasks

    monkeypatch.setattr(member_emails, "SYNC_LIMIT", 2)
    queued = []
    original = tasks.send_member_import_emails.delay

    def spy(**kwargs):
        queued.append(kwargs)
        return original(**kwargs)  # eager in tests: runs the task now

    monkeypatch.setattr(tasks.send_member_import_emails, "delay", spy)
    rows = "".join(f"personne.{i}@exemple.fr;Prénom{i};Nom;clefop-44-nan;membre;;;;\r\n" for i in range(3))
    result = validate_members_file((HEADER + rows).encode(), "m.csv")
    with django_capture_on_commit_callbacks(execute=True):
        import_members(members=result.members, by=staff_user)
    assert len(queued) == 1
    assert sorted(queued[0]["membership_ids"]) == sorted(
        Membership.objects.filter(user__email__startswith="personne.").values_list("pk", flat=True)
    )
    assert len(queued[0]["new_user_ids"]) == 3 and queued[0]["by_id"] == staff_user.pk
    assert sorted(m.to[0] for m in mail.outbox) == [f"personne.{i}@exemple.fr" for i in range(3)]


class RefusingBackend(EmailBackend):
    """Refuses the addresses containing « refus » (as an SMTP server refusing a recipient would)."""

    def send_messages(self, messages):
        for message in messages:
            if any("refus" in address for address in message.to):
                raise ConnectionError("destinataire refusé")
        return super().send_messages(messages)


def test_a_refused_address_does_not_stop_the_others_and_is_retried_alone(
    staff_user, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    content = HEADER + LEA + "refus@exemple.fr;;;clefop-44-nan;membre;;;;\r\n"
    result = validate_members_file(content.encode(), "m.csv")
    with django_capture_on_commit_callbacks(execute=True):
        import_members(members=result.members, by=staff_user)
    assert [m.to for m in mail.outbox] == [["lea.martin@exemple.fr"]]
    refused = OutboxMessage.objects.get(to=["refus@exemple.fr"])
    assert refused.status == OutboxMessage.Status.QUEUED and refused.attempts == 1
    assert "destinataire refusé" in refused.last_error and refused.next_attempt_at is not None
    assert OutboxMessage.objects.get(to=["lea.martin@exemple.fr"]).status == OutboxMessage.Status.SENT


def test_the_task_sends_and_reports_nothing_left(staff_user, django_capture_on_commit_callbacks):
    from clefop.tasks import send_member_import_emails

    lea = UserFactory(email="lea@exemple.fr", first_name="Léa")
    membership = MembershipFactory(user=lea, body=clefop("44-NAN"), position=Position.ANIMATEUR)
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_member_import_emails.apply(
            kwargs={"membership_ids": [membership.pk], "new_user_ids": [lea.pk], "by_id": staff_user.pk}
        ).get()
    assert sent == 1
    message = only_email("lea@exemple.fr")
    assert "animateur·rice" in message.body and "Bienvenue" in message.subject
