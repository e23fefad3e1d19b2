"""The one notification service: notices, the outbox (queued after commit, retried, failed with the error), the demo
switch, wording helpers, and a real SMTP server on loopback that refuses connections while a roadmap is submitted
and adopted: no error page, every e-mail delivered once it accepts again, none twice."""

import datetime
import socket
from datetime import timedelta
from email import message_from_string
from email.header import decode_header, make_header

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from srefop_portal.common import notifications, wording
from srefop_portal.common.models import Notice, OutboxMessage
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


class BrokenBackend(EmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


# ---------------------------------------------------------------------------------------------- wording


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 article"), (1, "1 article"), (2, "2 articles"), (1500, "1\u00a0500 articles")],
)
def test_plural_follows_the_french_rule(count, expected):
    assert wording.plural(count, "%(count)s article", "%(count)s articles") == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "0 action dont l’échéance est dépassée"),
        (1, "1 action dont l’échéance est dépassée"),
        (2, "2 actions dont l’échéance est dépassée"),
    ],
)
def test_plural_filter_in_templates(count, expected):
    template = Template('{{ n|fr_plural:"action dont l’échéance est dépassée,actions dont l’échéance est dépassée" }}')
    assert template.render(Context({"n": count})) == expected
    agreement = Template('{{ n|fr_plural:"son statut|leur statut" }}').render(Context({"n": count}))
    assert agreement == ("leur statut" if count > 1 else "son statut")


def test_first_of_the_month_is_1er():
    assert wording.french_date(datetime.date(2026, 1, 1)) == "1er janvier 2026"
    assert wording.french_date(datetime.date(2026, 1, 2)) == "2 janvier 2026"
    assert wording.french_date(datetime.date(2026, 5, 1), year=False) == "1er mai"
    assert Template("{{ d|fr_date }}").render(Context({"d": datetime.date(2026, 3, 1)})) == "1er mars 2026"


def test_subject_is_never_cut_mid_word_and_quotes_are_closed():
    long = "Feuille de route 2024-2026 de Clefop Nantes : soumise — « " + "préparation " * 40 + "»"
    subject = notifications.subject_line(long)
    assert subject.startswith("[Portail Srefop] Feuille de route") and len(subject) <= notifications.SUBJECT_MAX
    assert subject.endswith("»…") or subject.endswith("» …") or subject.endswith("…")
    assert subject.count("«") == subject.count("»")
    words = set(long.replace("«", " ").replace("»", " ").split())
    assert all(word in words for word in subject[len("[Portail Srefop] ") :].rstrip("…» ").split() if word != "«")
    assert notifications.subject_line("Court") == "[Portail Srefop] Court"


def test_apostrophes_become_typographic_but_html_attributes_stay():
    assert wording.typographic("Point d'étape de l'action") == "Point d’étape de l’action"
    assert wording.typographic("<a href='x'>l'action</a>") == "<a href='x'>l’action</a>"


# ---------------------------------------------------------------------------------------------- outbox


def test_notify_records_notices_and_queues_one_signed_email_each_after_commit(django_capture_on_commit_callbacks):
    alice, bob, actor = UserFactory(), UserFactory(), UserFactory()
    inactive = UserFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        count = notifications.notify(
            [alice, bob, actor, inactive, None],
            subject="Point d'étape annuel enregistré",
            message="Le point d'étape est en ligne.",
            url="/feuilles-de-route/1/",
            actor=actor,
        )
    assert count == 2
    assert Notice.objects.filter(user__in=[alice, bob], message="Le point d’étape est en ligne.").count() == 2
    assert not Notice.objects.filter(user__in=[actor, inactive]).exists()
    assert mail.outbox == [] and OutboxMessage.objects.filter(status="queued").count() == 2  # nothing before commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, bob.email])
    message = mail.outbox[0]
    assert message.subject == "[Portail Srefop] Point d’étape annuel enregistré"
    assert message.body.startswith("Bonjour,\n\nLe point d’étape est en ligne.")
    assert "Consulter : http://" in message.body and "/feuilles-de-route/1/" in message.body
    assert message.body.rstrip().endswith(notifications.SIGNATURE)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_a_failing_server_is_retried_with_back_off_then_failed_with_the_error(settings):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    settings.SREFOP_MAIL_MAX_ATTEMPTS = 3
    settings.SREFOP_MAIL_RETRY_BASE = 10
    message = notifications.queue_mail(to=["a@exemple.fr"], subject="Essai", body="Texte")
    outcomes = []
    for _ in range(4):
        outcomes.append(notifications.deliver(message.pk))
    assert outcomes == [
        ("retry", timedelta(seconds=10)),
        ("retry", timedelta(seconds=30)),
        ("failed", None),
        ("skipped", None),
    ]
    message.refresh_from_db()
    assert message.status == "failed" and message.attempts == 3
    assert "ConnectionRefusedError" in message.last_error and message.next_attempt_at is None
    assert mail.outbox == []


def test_a_down_server_never_breaks_a_request_after_commit(
    client_for, role_user, django_capture_on_commit_callbacks, settings
):
    from roadmaps.models import RoadmapStatus
    from tests.roadmaps.factories import roadmap_with

    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    role_user("cochair")
    roadmap = roadmap_with()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("animateur").post(
            reverse("roadmaps:roadmap_transition", args=[roadmap.body.slug, roadmap.pk, "submit"]), {}
        )
    assert response.status_code == 302
    roadmap.refresh_from_db()
    assert roadmap.status == RoadmapStatus.SUBMITTED
    queued = OutboxMessage.objects.filter(status="queued")
    assert queued.exists() and all(m.attempts == 1 and m.last_error for m in queued)


def test_flush_hands_over_only_what_is_due_and_was_not_taken(django_capture_on_commit_callbacks):
    now = timezone.now()
    late = OutboxMessage.objects.create(
        to=["a@exemple.fr"], subject="s", body="b", next_attempt_at=now - timedelta(minutes=5)
    )
    OutboxMessage.objects.create(to=["b@exemple.fr"], subject="s", body="b", next_attempt_at=now + timedelta(minutes=5))
    assert notifications.flush_due(now) == 1
    late.refresh_from_db()
    assert late.status == "sent" and [m.to for m in mail.outbox] == [["a@exemple.fr"]]


def test_demo_switch_records_notices_but_queues_no_email(django_capture_on_commit_callbacks):
    user = UserFactory()
    with notifications.mail_suspended():
        assert not notifications.mail_enabled()
        notifications.notify([user], subject="s", message="m", url="")
    assert notifications.mail_enabled()
    assert Notice.objects.filter(user=user).exists() and not OutboxMessage.objects.exists()


def test_demo_loaders_use_the_service_switch():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in ("roadmaps/demo.py", "offer/demo.py"):
        source = (root / path).read_text()
        assert "mail_suspended" in source and "SEND_EMAILS" not in source


# ---------------------------------------------------------------------------------------------- staff page


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 302), ("user", 404), ("staff", 200)])
def test_outbox_page_is_for_staff(client_for, role, expected):
    assert client_for(role).get(reverse("common:outbox")).status_code == expected


def test_staff_see_failed_messages_and_resend_them(staff_client, django_capture_on_commit_callbacks):
    failed = OutboxMessage.objects.create(
        to=["x@exemple.fr"],
        subject="[Portail Srefop] Invitation",
        body="b",
        status="failed",
        attempts=6,
        last_error="ConnectionRefusedError : [Errno 111] Connection refused",
    )
    sent = OutboxMessage.objects.create(to=["y@exemple.fr"], subject="s", body="b", status="sent")
    page = staff_client.get(reverse("common:outbox")).content.decode()
    assert "x@exemple.fr" in page and "Connection refused" in page and "y@exemple.fr" not in page
    assert "Renvoyer" in page
    response = staff_client.post(reverse("common:outbox"), {})
    assert response.status_code == 302 and OutboxMessage.objects.get(pk=failed.pk).status == "failed"
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("common:outbox"), {"message": [failed.pk, sent.pk]}, follow=True)
    assert "1 courriel remis en file d’envoi." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == "sent" and failed.attempts == 1
    assert [m.to for m in mail.outbox] == [["x@exemple.fr"]]


# ---------------------------------------------------------------------------------------------- real SMTP server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's handler protocol
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def test_real_smtp_server_down_during_submit_and_adopt_then_back(
    client_for, role_user, django_capture_on_commit_callbacks, settings
):
    pytest.importorskip("aiosmtpd")
    from aiosmtpd.controller import Controller

    from roadmaps.models import RoadmapStatus
    from tests.roadmaps.factories import roadmap_with

    port = free_port()  # nothing listens yet: the server refuses connections
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    role_user("cochair"), role_user("member")
    roadmap = roadmap_with()
    for transition, data, role in (("submit", {}, "animateur"), ("adopt", {"plenary_date": "2024-03-15"}, "cochair")):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(role).post(
                reverse("roadmaps:roadmap_transition", args=[roadmap.body.slug, roadmap.pk, transition]), data
            )
        assert response.status_code == 302, response.content.decode()[:500]
    roadmap.refresh_from_db()
    assert roadmap.status == RoadmapStatus.ADOPTED
    expected = list(OutboxMessage.objects.order_by("pk").values_list("to", flat=True))
    assert len(expected) >= 2
    assert all(m.status == "queued" and "ConnectionRefused" in m.last_error for m in OutboxMessage.objects.all())

    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        later = timezone.now() + timedelta(hours=1)
        with django_capture_on_commit_callbacks(execute=True):
            assert notifications.flush_due(later) == len(expected)  # what beat's flush_outbox does
            assert notifications.flush_due(later) == 0  # a second sweep sends nothing twice
    finally:
        controller.stop()
    assert sorted(rcpt for rcpt, _ in recorder.messages) == sorted(expected)
    subjects = [str(make_header(decode_header(message_from_string(c)["Subject"]))) for _, c in recorder.messages]
    assert all(subject.startswith("[Portail Srefop] Feuille de route") for subject in subjects), subjects
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
