"""Professionalisation sessions in a person's iCal feed (registrations confirmed or on the waiting list)."""

from __future__ import annotations

import datetime

import icalendar
from django.utils import timezone

from clefop.calendar import local_time

from .models import Registration, RegistrationStatus


def session_events(user, *, base_url: str = "") -> list[icalendar.Event]:
    since = timezone.now() - datetime.timedelta(days=183)
    registrations = (
        Registration.objects.filter(user=user, session__end__gte=since)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("session", "session__territory")
        .order_by("session__start")
    )
    stamp = timezone.now().astimezone(datetime.UTC)
    events = []
    for registration in registrations:
        session = registration.session
        waiting = registration.status == RegistrationStatus.WAITING
        event = icalendar.Event()
        event.add("uid", f"session-{session.pk}@portail-srefop")
        event.add("dtstamp", stamp)
        event.add("dtstart", local_time(session.start))
        event.add("dtend", local_time(session.end))
        event.add("sequence", session.sequence)
        event.add("last-modified", session.updated_at.astimezone(datetime.UTC))
        prefix = "[Liste d’attente] " if waiting else ""
        event.add("summary", f"{prefix}{session.title} — {session.get_kind_display()} Carif-Oref")
        lines = [f"Session de professionnalisation ({session.scope_label.lower()})"]
        if session.programme:
            lines += ["", session.programme]
        if session.video_url and not waiting:
            lines += ["", f"Visioconférence : {session.video_url}"]
        event.add("description", "\n".join(lines))
        location = session.place or ("" if waiting else session.video_url)
        if location:
            event.add("location", location)
        if base_url:
            event.add("url", base_url + session.get_absolute_url())
        event.add("status", "TENTATIVE" if waiting else "CONFIRMED")
        events.append(event)
    return events


personal_events = session_events  # the hook read by a person's iCal feed (clefop.views.calendar.my_feed)
