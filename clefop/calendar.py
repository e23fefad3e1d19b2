"""iCalendar (RFC 5545) feeds of meetings, built with the ``icalendar`` package."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from zoneinfo import ZoneInfo

import icalendar
from django.db import transaction
from django.utils import timezone

from .models import CalendarToken, Meeting, MeetingMode

PRODID = "-//Carif-Oref Pays de la Loire//Portail Srefop//FR"
# Times are written in the portal's zone (DTSTART;TZID=Europe/Paris) with its VTIMEZONE, as Outlook needs: a UTC
# time with only X-WR-TIMEZONE is shifted by some clients.
TIME_ZONE = ZoneInfo("Europe/Paris")


def local_time(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(TIME_ZONE)


def finish(calendar: icalendar.Calendar) -> bytes:
    """Add the VTIMEZONE of every TZID used (before the events) and serialise."""
    calendar.add_missing_timezones()
    return calendar.to_ical()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_token(user) -> CalendarToken | None:
    """The person's feed token row (its secret is not kept: it was shown once, when created)."""
    return CalendarToken.objects.filter(user=user).first()


@transaction.atomic
def regenerate_token(*, user) -> CalendarToken:
    """A new secret: the previous feed URLs stop working. The returned row carries the clear secret in ``token``
    (to show once); only its SHA-256 is stored."""
    secret = secrets.token_urlsafe(32)
    row, _ = CalendarToken.objects.update_or_create(user=user, defaults={"token_hash": hash_token(secret)})
    row.token = secret
    return row


@transaction.atomic
def revoke_token(*, user) -> bool:
    deleted, _ = CalendarToken.objects.filter(user=user).delete()
    return bool(deleted)


def user_for_token(token: str):
    if not token or len(token) > 64:
        return None
    row = CalendarToken.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    if row is None or not row.user.is_active:
        return None
    return row.user


def _description(meeting: Meeting) -> str:
    lines = [f"{meeting.body.name} — {meeting.get_kind_display()} ({meeting.get_mode_display().lower()})"]
    items = list(meeting.agenda_items.all())
    if items:
        lines.append("")
        lines.append("Ordre du jour :")
        lines.extend(f"{item.order}. {item.title}" for item in items)
    if meeting.video_url:
        lines.append("")
        lines.append(f"Visioconférence : {meeting.video_url}")
    return "\n".join(lines)


def build_calendar(meetings, *, name: str, base_url: str = "", extra_events=()) -> bytes:
    """The meetings as an iCalendar document, followed by ``extra_events`` (other apps' events of a person's feed)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    stamp = timezone.now().astimezone(datetime.UTC)
    for meeting in meetings:
        event = icalendar.Event()
        event.add("uid", f"reunion-{meeting.pk}@portail-srefop")
        event.add("dtstamp", stamp)
        event.add("dtstart", local_time(meeting.start))
        event.add("dtend", local_time(meeting.end))
        event.add("sequence", meeting.sequence)
        event.add("last-modified", meeting.updated_at.astimezone(datetime.UTC))
        event.add("summary", f"{meeting.title} — {meeting.body.name}")
        event.add("description", _description(meeting))
        location = meeting.place if meeting.mode != MeetingMode.ONLINE else meeting.video_url
        if location:
            event.add("location", location)
        if base_url:
            event.add("url", base_url + meeting.get_absolute_url())
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    for event in extra_events:
        calendar.add_component(event)
    return finish(calendar)


def feed_meetings(bodies_qs):
    """Meetings of the last 6 months and to come, for a set of bodies."""
    since = timezone.now() - datetime.timedelta(days=183)
    return (
        Meeting.objects.filter(body__in=bodies_qs, end__gte=since)
        .select_related("body")
        .prefetch_related("agenda_items")
        .order_by("start")
    )
