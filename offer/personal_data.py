"""What the offre de services holds about a person (the ``personal_data`` hook: ``export(user) -> dict``,
``erase(user) -> None``): professionalisation sessions, support requests, dispositifs.

Erased when an account is closed: registrations (a place to come is first given back to the waiting list).
Kept: support requests (a body's request; the requester shows as « ancien membre »), dispositifs edited, sessions
organised.
"""

from __future__ import annotations

from django.utils import timezone

from .models import Dispositif, Registration, RegistrationStatus, Session, SupportRequest
from .services import cancel_registration


def _date(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    return {
        "inscriptions_aux_sessions": [
            {
                "session": r.session.title,
                "debut": _date(r.session.start),
                "statut": r.get_status_display(),
                "demandee_le": _date(r.requested_at),
                "annulee_le": _date(r.cancelled_at),
                "presence": {True: "présent·e", False: "absent·e"}.get(r.attended),
            }
            for r in Registration.objects.filter(user=user).select_related("session").order_by("pk")
        ],
        "sessions_organisees": [
            {"session": s.title, "debut": _date(s.start)} for s in Session.objects.filter(organiser=user).order_by("pk")
        ],
        "demandes_d_appui": [
            {
                "instance": s.body.name,
                "type": s.get_kind_display(),
                "besoin": s.need,
                "statut": s.get_status_display(),
                "demandee_le": _date(s.created_at),
            }
            for s in SupportRequest.objects.filter(requester=user).select_related("body").order_by("pk")
        ],
        "demandes_d_appui_suivies": [
            {"instance": s.body.name, "type": s.get_kind_display(), "statut": s.get_status_display()}
            for s in SupportRequest.objects.filter(assignee=user).select_related("body").order_by("pk")
        ],
        "dispositifs_modifies": [
            {"dispositif": d.name, "modifie_le": _date(d.updated_at)}
            for d in Dispositif.objects.filter(updated_by=user).order_by("pk")
        ],
    }


def erase(user) -> None:
    upcoming = Registration.objects.filter(user=user, session__start__gt=timezone.now()).exclude(
        status=RegistrationStatus.CANCELLED
    )
    for registration in upcoming.select_related("session"):
        cancel_registration(session=registration.session, user=user)  # the place goes to the waiting list
    Registration.objects.filter(user=user).delete()
