"""Cached parts of the pages of the offre de services: the catalogue's cards and filter fields, the session tables.

What these pages show is the same for every reader but for a few bits, kept out of the fragments:
- a card of the catalogue differs only by the « À revoir » badge, shown to the people who may edit the dispositif
  (the Cariforef staff and the members representing its carrier): each card is cached with and without it, and the
  page picks, card by card, from the reader's own carriers (``carrier_ids_of``, read at each request);
- the rows of the session tables differ only by the reader's own registration badge (« Inscrit·e », « Liste
  d'attente »), put between the cached halves of each row at each request.
The fragments are rendered without request nor user (``render_to_string``) and cached by
``srefop_portal.common.versions`` until the data they show change (dispositifs, sessions and registrations: offer;
carriers: clefop; territories), and at most for the day (validity and review badges) or, for the sessions, until the
next session ends (it moves from « à venir » to « passées »).
"""

from __future__ import annotations

import datetime
import logging

from django.core.cache import cache
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from srefop_portal.common import versions

from .models import Dispositif, RegistrationStatus, Session

logger = logging.getLogger(__name__)

# Data shown in the fragments: dispositifs, sessions, registrations (offer), carriers (clefop), territories.
APPS = ("offer", "clefop", "territories")
PAST_SESSIONS = 20  # « Sessions passées (20 dernières) »


# ---------------------------------------------------------------------------------------------- catalogue


def dispositif_cards(rows: list[tuple[int, int]], editable_carriers: set[int], *, is_staff: bool) -> list[SafeString]:
    """The cards of the dispositifs ``rows`` ((pk, carrier_id) in page order) as HTML: built once per dispositif and
    day (in two queries for all those not cached), the « À revoir » variant for those the reader may edit."""

    def build(missing):
        dispositifs = (
            Dispositif.objects.filter(pk__in=missing).select_related("carrier").prefetch_related("territories")
        )
        built = {}
        for dispositif in dispositifs:
            context = {"dispositif": dispositif, "territories": list(dispositif.territories.all())}
            html = render_to_string("offer/_dispositif_card.html", context | {"can_edit": False})
            editor_html = (
                render_to_string("offer/_dispositif_card.html", context | {"can_edit": True})
                if dispositif.needs_review
                else html
            )
            built[dispositif.pk] = {"html": html, "editor_html": editor_html}
        return built

    cards = versions.cached_many(
        "offer:card",
        apps=APPS,
        keys=[pk for pk, _carrier in rows],
        vary=(timezone.localdate().isoformat(),),
        build=build,
    )
    shown = []
    for pk, carrier_id in rows:
        card = cards.get(pk)
        if card is None:  # deleted between the two reads
            continue
        editor = is_staff or carrier_id in editable_carriers
        shown.append(mark_safe(card["editor_html"] if editor else card["html"]))  # rendered by render_to_string
    return shown


def field_groups(form_class, form=None, *, live: tuple[str, ...] = ()) -> list[SafeString]:
    """The DSFR field groups of a filter form (``{{ field.as_field_group }}``) of ``form_class``, bound (``form``,
    validated) or not (None: the form is then made only if a field is not cached), each valid one cached by its
    value (a select of many options costs more to render than the rest of the page), all read in one cache call.
    A field with errors, or named in ``live`` (free text) and not empty, is rendered at each request: the keys are
    bounded by the fields' choices."""
    names = list(form_class.base_fields)
    if form is None:
        keys = {name: (name, "unbound") for name in names}
    else:
        keys = {}
        for field in form:
            value = field.value()
            if not field.errors and (field.name not in live or value in (None, "")):
                keys[field.name] = (field.name, "bound", repr(value))
    made = []

    def build(missing):
        if form is not None:
            bound = form
        else:
            if not made:
                made.append(form_class())
            bound = made[0]
        return {key: str(bound[key[0]].as_field_group()) for key in missing}

    html = versions.cached_many(
        "offer:filter-field", apps=APPS, keys=list(keys.values()), vary=(form_class.__name__,), build=build
    )
    # Rendered by the form's template renderer (autoescaped).
    return [mark_safe(html[keys[name]]) if name in keys else form[name].as_field_group() for name in names]


# ---------------------------------------------------------------------------------------------- sessions


def _session_rows(sessions) -> list[dict]:
    rows = []
    for session in sessions:
        html = render_to_string("offer/_session_row.html", {"session": session})
        before, _marker, after = html.partition("<!--srefop:registration-->")
        rows.append({"pk": session.pk, "before": before, "after": after})
    return rows


def session_tables() -> dict:
    """The rows of the upcoming sessions and of the last ``PAST_SESSIONS`` ones, as HTML cut where the reader's
    registration badge goes: ``{"upcoming": [{"pk", "before", "after"}], "past": [...]}``; rebuilt when the offer's
    data change and when the first upcoming session ends."""
    key = versions.fragment_key("offer:session-tables", APPS, ())
    data = None
    if key is not None:
        try:
            data = cache.get(key)
        except Exception:  # noqa: BLE001 — no cache: built at each request
            data = None
    now = timezone.now()
    if data is None or (data["changes_at"] is not None and data["changes_at"] <= now):
        registered = Count("registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED))
        sessions = Session.objects.select_related("territory").annotate(registered_total=registered)
        upcoming = list(sessions.filter(end__gte=now).order_by("start"))
        past = list(sessions.filter(end__lt=now).order_by("-start")[:PAST_SESSIONS])
        data = {
            "upcoming": _session_rows(upcoming),
            "past": _session_rows(past),
            # an upcoming session moves to the past ones as soon as it ends
            "changes_at": min((s.end for s in upcoming), default=None) + datetime.timedelta(microseconds=1)
            if upcoming
            else None,
        }
        if key is not None:
            try:
                cache.set(key, data, versions.FRAGMENT_SECONDS)
            except Exception:  # noqa: BLE001
                logger.warning("Sessions non mises en cache", exc_info=True)
    return data


REGISTRATION_BADGES = {
    RegistrationStatus.REGISTERED: '<span class="fr-badge fr-badge--sm fr-badge--success">Inscrit·e</span>',
    RegistrationStatus.WAITING: '<span class="fr-badge fr-badge--sm fr-badge--new">Liste d’attente</span>',
}


def with_registrations(rows: list[dict], mine: dict[int, str]) -> list[SafeString]:
    """The rows of a session table as HTML, each with the reader's registration badge (``mine``: session pk →
    registration status, the reader's own, read at each request)."""
    return [
        mark_safe(row["before"] + REGISTRATION_BADGES.get(mine.get(row["pk"], ""), "") + row["after"]) for row in rows
    ]
