"""What the governance app holds about a person (the ``personal_data`` hook: ``export(user) -> dict``,
``erase(user) -> None``; see accounts.services).

Kept when an account is closed, as governance records (the user row stays, anonymised, shown as « ancien membre »):
memberships (ended), meeting attendance, documents and their versions, invitations the person sent. Erased: the
calendar secret, the person's name and address on the invitations they received.
The offre de services (sessions, support requests, dispositifs) declares its own in ``offer/personal_data.py``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import CalendarToken, DocumentVersion, Invitation, Meeting, MeetingParticipant, Membership


def _date(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    return {
        "appartenances": [
            {
                "instance": m.body.name,
                "fonction": m.get_position_display(),
                "qualite": m.role_label,
                "structure_representee": m.organisation.name if m.organisation_id else None,
                "debut": _date(m.start_date),
                "fin": _date(m.end_date),
            }
            for m in Membership.objects.filter(user=user).select_related("body", "organisation").order_by("pk")
        ],
        "invitations_recues": [
            {
                "instance": i.body.name,
                "adresse": i.email,
                "prenom": i.first_name,
                "nom": i.last_name,
                "fonction": i.get_position_display(),
                "envoyee_le": _date(i.sent_at),
                "statut": i.status,
            }
            for i in Invitation.objects.filter(email__iexact=user.email).select_related("body").order_by("pk")
        ],
        "invitations_envoyees": [
            {"instance": i.body.name, "adresse": i.email, "envoyee_le": _date(i.sent_at), "statut": i.status}
            for i in Invitation.objects.filter(invited_by=user).select_related("body").order_by("pk")
        ],
        "presences_aux_reunions": [
            {
                "reunion": p.meeting.title,
                "instance": p.meeting.body.name,
                "date": _date(p.meeting.start),
                "presence": p.get_status_display(),
            }
            for p in MeetingParticipant.objects.filter(user=user).select_related("meeting__body").order_by("pk")
        ],
        "reunions_creees": [
            {"reunion": m.title, "instance": m.body.name, "date": _date(m.start)}
            for m in Meeting.objects.filter(created_by=user).select_related("body").order_by("pk")
        ],
        "documents_deposes": [
            {
                "document": v.document.title,
                "instance": v.document.body.name,
                "version": v.number,
                "fichier": v.original_name,
                "depose_le": _date(v.uploaded_at),
            }
            for v in DocumentVersion.objects.filter(uploaded_by=user).select_related("document__body").order_by("pk")
        ],
        "calendrier_personnel": {"lien_actif": CalendarToken.objects.filter(user=user).exists()},
    }


@transaction.atomic
def erase(user) -> None:
    today = timezone.localdate()
    CalendarToken.objects.filter(user=user).delete()
    # Still in a body: the membership ends today (the body's composition history keeps an « ancien membre »).
    Membership.objects.filter(user=user, end_date__isnull=True).update(end_date=today)
    Membership.objects.filter(user=user, end_date__gt=today).update(end_date=today)
    received = Invitation.objects.filter(email__iexact=user.email)
    received.filter(accepted_at__isnull=True).delete()  # never used: nothing to keep
    received.update(email=f"ancien-membre-{user.pk}@compte-ferme.invalid", first_name="", last_name="", role_label="")
