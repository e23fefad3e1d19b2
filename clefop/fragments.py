"""Cached parts of a body's workspace pages (home and members), built once per data version and per reader class.

The lists of a body's home page (latest documents, members, working groups) and of its members page (members in
office, history) show the same thing to every reader of the body, except what its managers (the Cariforef staff
and the body's animateurs·rices: ``clefop.manage_body``) see more on the members page: the addresses and the « mettre
fin » links. The *reader class* is therefore ``manage`` (bool); the fragments are rendered without request nor user
(``render_to_string``) and cached by ``srefop_portal.common.versions`` until the bodies, memberships, documents
(clefop) or the people's names (accounts) change, and at most for the day (memberships start and end on a date).
Person-specific bits — the action buttons (leave, create a group), the pending invitations with their CSRF-protected
forms, the meetings (which depend on the hour) — stay in the page, outside the fragments.
"""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from srefop_portal.common import versions

from .models import Body, BodyKind, Document, Meeting, Membership, Position

# Data shown in the fragments: clefop (bodies, memberships, organisations, documents), accounts (people's names).
APPS = ("clefop", "accounts")


def position_rank(membership) -> tuple:
    order = {Position.COCHAIR: 0, Position.ANIMATEUR: 1, Position.MEMBER: 2, Position.OBSERVER: 3}
    return (order.get(membership.position, 9), membership.user.last_name.lower(), membership.user.first_name.lower())


def body_home_sections(body) -> dict:
    """``{"documents", "members", "groups"}``: the HTML of the home page's lists, the same for every reader."""
    today = timezone.localdate()

    def build():
        members = sorted(
            Membership.objects.active(today).filter(body=body).select_related("user", "organisation"),
            key=position_rank,
        )
        documents = list(
            Document.objects.alive()
            .filter(body=body)
            .select_related("body", "current_version")
            .order_by("-updated_at")[:5]
        )
        groups = list(body.working_groups.order_by("name")) if body.kind != BodyKind.WORKING_GROUP else []
        context = {"body": body, "members": members, "documents": documents, "working_groups": groups}
        return {
            "documents": versions.compact_html(render_to_string("clefop/fragments/_body_documents.html", context)),
            "members": versions.compact_html(render_to_string("clefop/fragments/_body_members.html", context)),
            "groups": versions.compact_html(render_to_string("clefop/fragments/_body_groups.html", context)),
        }

    sections = versions.cached("clefop:body-home", apps=APPS, vary=(body.pk, body.slug, today.isoformat()), build=build)
    return {name: mark_safe(html) for name, html in sections.items()}


def body_member_sections(body, *, manage: bool) -> dict:
    """``{"members", "former"}``: the members page's table of members in office (with addresses and « mettre fin »
    links for the managers: ``manage``) and history."""
    today = timezone.localdate()

    def build():
        memberships = list(Membership.objects.filter(body=body).select_related("user", "organisation"))
        active = sorted([m for m in memberships if m.is_active], key=position_rank)
        former = sorted(
            [m for m in memberships if not m.is_active],
            key=lambda m: m.end_date or today,
            reverse=True,
        )
        context = {"body": body, "members": active, "former": former, "can_manage": manage}
        return {
            "members": versions.compact_html(render_to_string("clefop/fragments/_member_table.html", context)),
            "former": versions.compact_html(render_to_string("clefop/fragments/_member_history.html", context)),
        }

    sections = versions.cached(
        "clefop:body-members", apps=APPS, vary=(body.pk, body.slug, bool(manage), today.isoformat()), build=build
    )
    return {name: mark_safe(html) for name, html in sections.items()}


def body_by_slug(slug: str) -> Body | None:
    """The body of a workspace URL (with what its pages show of its territory and parent), read from the cache until
    the bodies or the territories change. Who may read it is decided by the caller, for its user."""

    def build():
        body = (
            Body.objects.select_related("territory", "departement", "parent", "parent__territory")
            .filter(slug=slug)
            .first()
        )
        return [body]  # never None: a missing slug is cached too

    return versions.cached("clefop:body", apps=("clefop", "territories"), vary=(slug,), build=build)[0]


MEETING_CANDIDATES = 20


def body_meetings(body, *, count: int = 3) -> tuple[list, Meeting | None]:
    """(the next ``count`` meetings, the last one held), as ``Meeting.objects.upcoming()`` / ``past()`` would say
    now. Cached for the day: the meetings not over at midnight (``MEETING_CANDIDATES`` at most, by start) and the
    last one over before midnight; each request then splits them at the current time (the database is asked when
    the candidates may not be enough: more of them than that, the last already begun)."""
    now = timezone.now()
    midnight = timezone.make_aware(datetime.datetime.combine(timezone.localdate(now), datetime.time.min))

    def build():
        meetings = body.meetings.select_related("body")
        candidates = list(meetings.filter(end__gte=midnight).order_by("start")[:MEETING_CANDIDATES])
        before = meetings.filter(end__lt=midnight).order_by("-start").first()
        return {"candidates": candidates, "before": before}

    cached = versions.cached(
        "clefop:body-meetings", apps=("clefop",), vary=(body.pk, midnight.isoformat()), build=build
    )
    candidates = cached["candidates"]
    upcoming = [m for m in candidates if m.end >= now][:count]
    # Past the candidates, every meeting starts after the last one: none has ended while that one has not begun.
    truncated = len(candidates) >= MEETING_CANDIDATES
    if truncated and (len(upcoming) < count or candidates[-1].start <= now):
        return list(body.meetings.upcoming().select_related("body")[:count]), body.meetings.past().select_related(
            "body"
        ).first()
    held = [m for m in candidates if m.end < now]
    if cached["before"] is not None:
        held.append(cached["before"])
    last = max(held, key=lambda m: m.start) if held else None
    return upcoming, last
