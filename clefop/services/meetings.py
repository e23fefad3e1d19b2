from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from srefop_portal.common import notifications

from ..models import Attendance, Body, Meeting, MeetingMode, MeetingParticipant, Membership, Position
from . import ClefopError

logger = logging.getLogger(__name__)

MINUTES_REMINDER_DELAY = datetime.timedelta(days=7)


def _check(*, start, end, mode, place, video_url):
    if end <= start:
        raise ClefopError("La fin de la réunion doit être postérieure à son début.")
    if mode in (MeetingMode.IN_PERSON, MeetingMode.HYBRID) and not (place or "").strip():
        raise ClefopError("Indiquez le lieu d’une réunion en présentiel ou hybride.")
    if mode in (MeetingMode.ONLINE, MeetingMode.HYBRID) and not (video_url or "").strip():
        raise ClefopError("Indiquez le lien de visioconférence d’une réunion à distance ou hybride.")


def _agenda_lines(agenda: str) -> list[str]:
    return [line.strip(" -•\t") for line in (agenda or "").splitlines() if line.strip(" -•\t")]


def _set_agenda(meeting: Meeting, agenda: str) -> None:
    from ..models import AgendaItem

    meeting.agenda_items.all().delete()
    AgendaItem.objects.bulk_create(
        [AgendaItem(meeting=meeting, order=i, title=title[:500]) for i, title in enumerate(_agenda_lines(agenda), 1)]
    )


@transaction.atomic
def create_meeting(*, body: Body, by, title, kind, mode, start, end, place="", video_url="", agenda="") -> Meeting:
    _check(start=start, end=end, mode=mode, place=place, video_url=video_url)
    meeting = Meeting.objects.create(
        body=body,
        title=title.strip(),
        kind=kind,
        mode=mode,
        start=start,
        end=end,
        place=place.strip(),
        video_url=video_url.strip(),
        created_by=by,
    )
    _set_agenda(meeting, agenda)
    members = Membership.objects.active().filter(body=body).values_list("user_id", flat=True).distinct()
    MeetingParticipant.objects.bulk_create(
        [MeetingParticipant(meeting=meeting, user_id=user_id) for user_id in set(members)]
    )
    return meeting


@transaction.atomic
def update_meeting(*, meeting: Meeting, title, kind, mode, start, end, place="", video_url="", agenda="") -> Meeting:
    _check(start=start, end=end, mode=mode, place=place, video_url=video_url)
    meeting.title, meeting.kind, meeting.mode = title.strip(), kind, mode
    meeting.start, meeting.end = start, end
    meeting.place, meeting.video_url = place.strip(), video_url.strip()
    meeting.sequence += 1
    meeting.save()
    _set_agenda(meeting, agenda)
    return meeting


@transaction.atomic
def set_attendance(*, meeting: Meeting, statuses: dict[int, str]) -> None:
    """statuses: user id → Attendance; users not yet listed are added (they must be members)."""
    allowed = set(Membership.objects.active().filter(body=meeting.body).values_list("user_id", flat=True)) | set(
        meeting.participants.values_list("user_id", flat=True)
    )
    for user_id, status in statuses.items():
        if status not in Attendance.values:
            raise ClefopError("Statut de présence inconnu.")
        if user_id not in allowed:
            raise ClefopError("Seuls les membres de l’instance peuvent être inscrits à la réunion.")
    existing = {p.user_id: p for p in meeting.participants.all()}
    to_update, to_create = [], []
    for user_id, status in statuses.items():
        participant = existing.get(user_id)
        if participant is None:
            to_create.append(MeetingParticipant(meeting=meeting, user_id=user_id, status=status))
        elif participant.status != status:
            participant.status = status
            to_update.append(participant)
    MeetingParticipant.objects.bulk_create(to_create)
    MeetingParticipant.objects.bulk_update(to_update, ["status"])


@transaction.atomic
def save_minutes(*, meeting: Meeting, text: str) -> Meeting:
    meeting.minutes_text = (text or "").strip()
    meeting.minutes_updated_at = timezone.now()
    meeting.save(update_fields=["minutes_text", "minutes_updated_at", "updated_at"])
    return meeting


def meetings_missing_minutes(now=None):
    now = now or timezone.now()
    return (
        Meeting.objects.filter(end__lte=now - MINUTES_REMINDER_DELAY, minutes_reminder_sent_at__isnull=True)
        .filter(minutes_text="")
        .exclude(documents__is_minutes=True, documents__deleted_at__isnull=True)
        .select_related("body")
    )


def animateurs_of(body: Body):
    from accounts.models import User

    condition = Q(body=body)
    if body.parent_id:
        condition |= Q(body_id=body.parent_id)
    user_ids = Membership.objects.active().filter(condition, position=Position.ANIMATEUR).values("user_id")
    return User.objects.filter(pk__in=user_ids, is_active=True)


def send_minutes_reminder(*, meeting_id: int, base_url: str = "") -> bool:
    """Reminds the animateurs once; returns False if already reminded or minutes exist."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("body").get(pk=meeting_id)
        if meeting.minutes_reminder_sent_at or meeting.minutes_text:
            return False
        if meeting.documents.filter(is_minutes=True, deleted_at__isnull=True).exists():
            return False
        meeting.minutes_reminder_sent_at = timezone.now()
        meeting.save(update_fields=["minutes_reminder_sent_at"])
        recipients = [user.email for user in animateurs_of(meeting.body)]
        if not recipients:
            logger.info("meeting %s: no animateur to remind", meeting.pk)
            return True
        context = {"meeting": meeting, "body": meeting.body, "url": base_url + meeting.get_absolute_url()}
        text = render_to_string("clefop/emails/minutes_reminder.txt", context)
        html = render_to_string("clefop/emails/minutes_reminder.html", context)
        for email in recipients:
            notifications.queue_mail(
                to=[email],
                subject=f"Compte rendu attendu : {meeting.title}",
                body=text,
                html_body=html,
                kind="clefop.minutes_reminder",
            )
    return True
