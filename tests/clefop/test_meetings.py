import datetime
import hashlib
import re

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clefop.calendar import regenerate_token
from clefop.models import Attendance, Meeting, MeetingParticipant
from clefop.services.documents import upload_document
from clefop.services.meetings import create_meeting
from clefop.tasks import remind_missing_minutes
from tests.clefop.conftest import PDF

pytestmark = pytest.mark.django_db


def _dt(days, hours=0):
    return (timezone.localtime() + datetime.timedelta(days=days, hours=hours)).strftime("%Y-%m-%dT%H:%M")


def test_animateur_creates_meeting_with_ordered_agenda_and_attendance(client_for, nantes, role_user):
    member = role_user("member")
    client = client_for("animateur")
    response = client.post(
        reverse("clefop:meeting_create", args=[nantes.slug]),
        {
            "title": "Comité technique emploi",
            "kind": "technical",
            "mode": "hybrid",
            "place": "Hôtel de Région",
            "video_url": "https://visio.exemple.fr/abc",
            "start": _dt(5),
            "end": _dt(5, 2),
            "agenda": "Accueil\n- Diagnostic\n\nFeuille de route",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get()
    assert [i.title for i in meeting.agenda_items.all()] == ["Accueil", "Diagnostic", "Feuille de route"]
    assert MeetingParticipant.objects.filter(meeting=meeting, user=member, status=Attendance.INVITED).exists()
    url = reverse("clefop:meeting_attendance", args=[nantes.slug, meeting.pk])
    assert client.post(url, {f"user_{member.pk}": "excused"}).status_code in (200, 400, 302)
    participants = {p.user_id: p.status for p in meeting.participants.all()}
    data = {f"user_{uid}": "present" for uid in participants}
    data[f"user_{member.pk}"] = "excused"
    assert client.post(url, data).status_code == 302
    assert meeting.participants.get(user=member).status == Attendance.EXCUSED
    page = client_for("member").get(meeting.get_absolute_url()).content.decode()
    assert "Hôtel de Région" in page and "Diagnostic" in page


def test_meeting_form_errors(client_for, nantes):
    client = client_for("animateur")
    response = client.post(
        reverse("clefop:meeting_create", args=[nantes.slug]),
        {"title": "X", "kind": "plenary", "mode": "online", "start": _dt(5, 2), "end": _dt(5)},
    )
    assert response.status_code == 400 and "postérieure" in response.content.decode()
    response = client.post(
        reverse("clefop:meeting_create", args=[nantes.slug]),
        {"title": "X", "kind": "plenary", "mode": "online", "start": _dt(5), "end": _dt(5, 1)},
    )
    assert response.status_code == 400 and "visioconférence" in response.content.decode()
    assert Meeting.objects.count() == 0


def test_ical_feeds_parse_as_rfc5545(client, role_user, workspace):
    member = role_user("member")
    token = regenerate_token(user=member).token
    response = client.get(reverse("clefop:my_feed", args=[token]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0" and "PRODID" in calendar
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
        assert prop in event
    meeting = workspace["meeting"]
    assert event.decoded("DTSTART") == meeting.start.replace(microsecond=0)
    assert "Plénière" in str(event["SUMMARY"]) and "Diagnostic" in str(event["DESCRIPTION"])
    # Local times of Paris with their zone described in the file (Outlook needs the VTIMEZONE).
    for prop in ("DTSTART", "DTEND"):
        assert event[prop].params["TZID"] == "Europe/Paris"
        assert str(event.decoded(prop).tzinfo) == "Europe/Paris"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert calendar.get_missing_tzids() == set()
    assert b"BEGIN:VTIMEZONE" in response.content.split(b"BEGIN:VEVENT")[0]
    body_feed = icalendar.Calendar.from_ical(
        client.get(reverse("clefop:body_feed", args=[token, workspace["body"].slug])).content
    )
    assert len(body_feed.walk("VEVENT")) == 1
    assert body_feed.walk("VEVENT")[0]["DTSTART"].params["TZID"] == "Europe/Paris"
    assert [str(tz["TZID"]) for tz in body_feed.walk("VTIMEZONE")] == ["Europe/Paris"]
    # Regenerating revokes the previous URL.
    regenerate_token(user=member)
    assert client.get(reverse("clefop:my_feed", args=[token])).status_code == 404


def test_calendar_token_regenerate_and_revoke_from_my_bodies(client_for, role_user):
    client = client_for("member")
    client.post(reverse("clefop:calendar_token"), {"action": "regenerate"})
    page = client.get(reverse("clefop:my_bodies")).content.decode()
    token = re.search(r"/calendrier/([\w-]+)/instances\.ics", page).group(1)
    assert client.get(reverse("clefop:my_feed", args=[token])).status_code == 200
    # Shown once: the next visit no longer shows the secret, and the database holds only its hash.
    assert token not in client.get(reverse("clefop:my_bodies")).content.decode()
    stored = role_user("member").calendar_token
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in stored.token_hash
    client.post(reverse("clefop:calendar_token"), {"action": "revoke"})
    assert client.get(reverse("clefop:my_feed", args=[token])).status_code == 404


def test_minutes_reminder_sent_once_to_animateurs(nantes, role_user, staff_user, django_capture_on_commit_callbacks):
    animateur = role_user("animateur")
    now = timezone.now()
    old = create_meeting(
        body=nantes,
        by=staff_user,
        title="Ancienne plénière",
        kind="plenary",
        mode="in_person",
        place="Nantes",
        start=now - datetime.timedelta(days=10),
        end=now - datetime.timedelta(days=10) + datetime.timedelta(hours=2),
    )
    recent = create_meeting(
        body=nantes,
        by=staff_user,
        title="Récente",
        kind="plenary",
        mode="in_person",
        place="Nantes",
        start=now - datetime.timedelta(days=2),
        end=now - datetime.timedelta(days=2) + datetime.timedelta(hours=2),
    )
    with_minutes = create_meeting(
        body=nantes,
        by=staff_user,
        title="Avec CR",
        kind="plenary",
        mode="in_person",
        place="Nantes",
        start=now - datetime.timedelta(days=12),
        end=now - datetime.timedelta(days=12) + datetime.timedelta(hours=2),
    )
    upload_document(
        body=nantes, meeting=with_minutes, title="CR", data=PDF, filename="cr.pdf", by=staff_user, is_minutes=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_missing_minutes.delay() is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [animateur.email] and "Ancienne plénière" in mail.outbox[0].subject
    assert mail.outbox[0].alternatives
    with django_capture_on_commit_callbacks(execute=True):
        remind_missing_minutes()
    assert len(mail.outbox) == 1  # once
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.minutes_reminder_sent_at and recent.minutes_reminder_sent_at is None


def test_minutes_text_and_document(client_for, workspace):
    from django.core.files.uploadedfile import SimpleUploadedFile

    meeting = workspace["meeting"]
    client = client_for("animateur")
    url = reverse("clefop:meeting_minutes", args=[meeting.body.slug, meeting.pk])
    bad = client.post(url, {"minutes_text": "Relevé", "file": SimpleUploadedFile("cr.pdf", b"\x7fELF....")})
    assert bad.status_code == 400
    meeting.refresh_from_db()
    assert meeting.minutes_text == ""
    ok = client.post(url, {"minutes_text": "Relevé de décisions", "file": SimpleUploadedFile("cr.pdf", PDF)})
    assert ok.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes_text == "Relevé de décisions"
    assert meeting.documents.filter(is_minutes=True).count() == 1


def test_meeting_list_query_count_is_constant(client_for, nantes, staff_user, django_assert_max_num_queries):
    client = client_for("member")
    url = reverse("clefop:meeting_list", args=[nantes.slug])
    client.get(url)
    now = timezone.now()

    def add(n):
        for i in range(n):
            create_meeting(
                body=nantes,
                by=staff_user,
                title=f"R{i}",
                kind="plenary",
                mode="in_person",
                place="Nantes",
                start=now + datetime.timedelta(days=i + 1),
                end=now + datetime.timedelta(days=i + 1, hours=1),
            )

    add(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    add(15)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_document_list_query_count_is_constant(client_for, nantes, staff_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("member")
    url = reverse("clefop:document_list", args=[nantes.slug])
    upload_document(body=nantes, title="D0", data=PDF, filename="d.pdf", by=staff_user)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(10):
        upload_document(body=nantes, title=f"D{i + 1}", data=PDF, filename="d.pdf", by=staff_user)
    client.get(url)  # the writes renew the reader's cached account and positions (tests/common/test_chrome.py)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)
