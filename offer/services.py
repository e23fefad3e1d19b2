"""Writes of the offre de services: dispositifs (catalogue, reviews, import), professionalisation sessions
(registrations, waiting list, attendance, documents, reminders) and support requests to the Cariforef.

One function per business action, keyword-only and atomic, raising ClefopError with a French message."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from clefop.models import Body, Membership, Organisation
from clefop.services import ClefopError
from srefop_portal.common import notifications, wording
from srefop_portal.common.documents import store_checked_file
from srefop_portal.common.filecheck import FileRejected

from .models import (
    Dispositif,
    DispositifLevel,
    Public,
    Registration,
    RegistrationStatus,
    Session,
    SessionDocument,
    SupportKind,
    SupportRequest,
    SupportRequestEvent,
    SupportStatus,
    Theme,
)

logger = logging.getLogger(__name__)

REVIEW_REMINDER_INTERVAL = datetime.timedelta(days=28)


# ---------------------------------------------------------------------------------------------- notifications


def notify(users, *, subject: str, message: str, url: str, actor=None, email: bool = True) -> int:
    """A portal notice and an e-mail (queued after commit) to each active user except the actor."""
    return notifications.notify(
        users, subject=subject, message=message, url=url, actor=actor, email=email, kind="clefop.offer"
    )


def _staff_users():
    from accounts.models import User

    return User.objects.filter(Q(is_cariforef_staff=True) | Q(is_superuser=True), is_active=True)


# ---------------------------------------------------------------------------------------------- dispositifs


def _clean_codes(values, choices, label: str) -> list[str]:
    allowed = {value for value, _ in choices}
    codes = [v for v in dict.fromkeys(values or []) if v]
    unknown = [c for c in codes if c not in allowed]
    if unknown:
        raise ClefopError(f"{label} inconnu·es : {', '.join(unknown)}.")
    return codes


def _check_dispositif(dispositif: Dispositif) -> None:
    if not (dispositif.name or "").strip():
        raise ClefopError("Indiquez le nom du dispositif.")
    if not (dispositif.description or "").strip():
        raise ClefopError("Décrivez le dispositif.")
    if dispositif.level not in DispositifLevel.values:
        raise ClefopError("Échelon inconnu.")
    if dispositif.valid_from and dispositif.valid_until and dispositif.valid_until < dispositif.valid_from:
        raise ClefopError("La fin de validité doit être postérieure à son début.")
    duplicate = Dispositif.objects.filter(name__iexact=dispositif.name.strip(), carrier_id=dispositif.carrier_id)
    if dispositif.pk:
        duplicate = duplicate.exclude(pk=dispositif.pk)
    if duplicate.exists():
        raise ClefopError("Cette structure porte déjà un dispositif de ce nom.")


@transaction.atomic
def save_dispositif(*, dispositif: Dispositif, territories, by) -> Dispositif:
    """Create or update a dispositif; saving it counts as a review (its content was just checked)."""
    dispositif.name = dispositif.name.strip()
    dispositif.publics = _clean_codes(dispositif.publics, Public.choices, "Publics")
    dispositif.themes = _clean_codes(dispositif.themes, Theme.choices, "Thématiques")
    _check_dispositif(dispositif)
    dispositif.last_reviewed_on = timezone.localdate()
    dispositif.review_reminder_sent_on = None
    dispositif.updated_by = by
    dispositif.save()
    dispositif.territories.set(territories)
    return dispositif


@transaction.atomic
def mark_reviewed(*, dispositif: Dispositif, by) -> Dispositif:
    """The editor checked the entry and it is still accurate."""
    dispositif = Dispositif.objects.select_for_update().get(pk=dispositif.pk)
    dispositif.last_reviewed_on = timezone.localdate()
    dispositif.review_reminder_sent_on = None
    dispositif.updated_by = by
    dispositif.save(update_fields=["last_reviewed_on", "review_reminder_sent_on", "updated_by", "updated_at"])
    return dispositif


def dispositif_editors(dispositif_ids) -> dict[int, set[int]]:
    """dispositif id → ids of the users representing its carrier today."""
    rows = Membership.objects.active().filter(organisation__dispositifs__in=dispositif_ids, user__is_active=True)
    editors: dict[int, set[int]] = {}
    for dispositif_id, user_id in rows.values_list("organisation__dispositifs", "user_id").distinct():
        editors.setdefault(dispositif_id, set()).add(user_id)
    return editors


def send_review_reminders(*, today=None) -> int:
    """One e-mail per editor listing their dispositifs not reviewed for 12 months (at most every 4 weeks).
    Dispositifs whose carrier has no member in a body are reminded to the Cariforef team."""
    from accounts.models import User

    today = today or timezone.localdate()
    with transaction.atomic():
        due = list(
            Dispositif.objects.needing_review(today)
            .filter(
                Q(review_reminder_sent_on__isnull=True)
                | Q(review_reminder_sent_on__lte=today - REVIEW_REMINDER_INTERVAL)
            )
            .select_for_update()
            .order_by("name")
        )
        if not due:
            return 0
        editors = dispositif_editors([d.pk for d in due])
        staff_ids = set(_staff_users().values_list("pk", flat=True))
        per_user: dict[int, list[Dispositif]] = {}
        for dispositif in due:
            for user_id in editors.get(dispositif.pk) or staff_ids:
                per_user.setdefault(user_id, []).append(dispositif)
        users = User.objects.in_bulk(list(per_user))
        for user_id, dispositifs in per_user.items():
            user = users[user_id]
            lines = "\n".join(f"- {d.name} (revu le {d.last_reviewed_on:%d/%m/%Y})" for d in dispositifs)
            notify(
                [user],
                subject="Dispositifs à revoir dans l’offre de services",
                message=(
                    wording.plural(
                        len(dispositifs),
                        "%(count)s dispositif que vous pouvez modifier n’a pas été revu depuis plus de 12 mois :",
                        "%(count)s dispositifs que vous pouvez modifier n’ont pas été revus depuis plus de 12 mois :",
                    )
                    + f"\n{lines}\n"
                    + wording.plural(
                        len(dispositifs),
                        "Vérifiez-le puis confirmez qu’il est à jour.",
                        "Vérifiez-les puis confirmez qu’ils sont à jour.",
                    )
                ),
                url=reverse("offer:my_dispositifs"),
            )
        Dispositif.objects.filter(pk__in=[d.pk for d in due]).update(review_reminder_sent_on=today)
    return len(per_user)


@transaction.atomic
def import_dispositifs(*, rows, by) -> dict:
    """Apply a validated import (see ``offer.importers``): create or update by (name, carrier)."""
    counts = {"created": 0, "updated": 0, "organisations": 0}
    for row in rows:
        carrier = row.carrier
        if carrier is None:
            carrier, created = Organisation.objects.get_or_create(
                name=row.carrier_name, kind=row.carrier_kind, departement=None
            )
            counts["organisations"] += created
        dispositif = Dispositif.objects.filter(name__iexact=row.name, carrier=carrier).first()
        counts["updated" if dispositif else "created"] += 1
        dispositif = dispositif or Dispositif(carrier=carrier)
        for name in (
            "name",
            "level",
            "publics",
            "themes",
            "description",
            "eligibility",
            "how_to",
            "contact",
            "url",
            "valid_from",
            "valid_until",
        ):
            setattr(dispositif, name, getattr(row, name))
        _check_dispositif(dispositif)
        dispositif.last_reviewed_on = row.last_reviewed_on or timezone.localdate()
        dispositif.updated_by = by
        dispositif.save()
        dispositif.territories.set(row.territories)
    return counts


# ---------------------------------------------------------------------------------------------- sessions


def _check_session(*, start, end, capacity, place, video_url):
    if end <= start:
        raise ClefopError("La fin de la session doit être postérieure à son début.")
    if not capacity or capacity < 1:
        raise ClefopError("Indiquez au moins une place.")
    if not (place or "").strip() and not (video_url or "").strip():
        raise ClefopError("Indiquez un lieu ou un lien de visioconférence.")


SESSION_FIELDS = (
    "title",
    "kind",
    "territory",
    "start",
    "end",
    "place",
    "video_url",
    "capacity",
    "audience",
    "programme",
    "speakers",
)


@transaction.atomic
def save_session(*, session: Session | None = None, by, **data) -> Session:
    _check_session(
        start=data["start"],
        end=data["end"],
        capacity=data["capacity"],
        place=data.get("place", ""),
        video_url=data.get("video_url", ""),
    )
    if session is None:
        session = Session(organiser=by)
    else:
        session = Session.objects.select_for_update().get(pk=session.pk)
        session.sequence += 1
    for name in SESSION_FIELDS:
        if name in data:
            value = data[name]
            setattr(session, name, value.strip() if isinstance(value, str) else value)
    session.save()
    _promote_waiting(session)
    return session


def registered_count(session: Session) -> int:
    return session.registrations.filter(status=RegistrationStatus.REGISTERED).count()


def _promote_waiting(session: Session) -> list[Registration]:
    """Fill the free places with the first people of the waiting list (in order of request)."""
    free = session.capacity - registered_count(session)
    if free <= 0:
        return []
    promoted = list(
        session.registrations.select_for_update(of=("self",))
        .filter(status=RegistrationStatus.WAITING)
        .select_related("user")
        .order_by("requested_at", "pk")[:free]
    )
    now = timezone.now()
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        notify(
            [registration.user],
            subject=f"Place confirmée : {session.title}",
            message=(
                f"Une place s’est libérée : votre inscription à « {session.title} » du "
                f"{timezone.localtime(session.start):%d/%m/%Y à %H:%M} est confirmée."
            ),
            url=session.get_absolute_url(),
        )
    return promoted


@transaction.atomic
def register(*, session: Session, user) -> Registration:
    """Register a signed-in person; when the session is full, they join the waiting list."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.is_past:
        raise ClefopError("Cette session est terminée : les inscriptions sont closes.")
    registration = Registration.objects.filter(session=session, user=user).first()
    if registration and registration.status != RegistrationStatus.CANCELLED:
        raise ClefopError(
            "Vous êtes déjà inscrit·e à cette session."
            if registration.status == RegistrationStatus.REGISTERED
            else "Vous êtes déjà sur la liste d’attente de cette session."
        )
    full = registered_count(session) >= session.capacity
    registration = registration or Registration(session=session, user=user)
    registration.status = RegistrationStatus.WAITING if full else RegistrationStatus.REGISTERED
    registration.requested_at = timezone.now()
    registration.cancelled_at = None
    registration.promoted_at = None
    registration.reminded_at = None
    registration.save()
    return registration


@transaction.atomic
def cancel_registration(*, session: Session, user) -> Registration | None:
    """Cancel a registration (or leave the waiting list); a freed place goes to the first person waiting.
    Returns the promoted registration, if any."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    registration = (
        Registration.objects.select_for_update()
        .filter(session=session, user=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )
    if registration is None:
        raise ClefopError("Vous n’êtes pas inscrit·e à cette session.")
    if session.is_past:
        raise ClefopError("Cette session est terminée : l’inscription ne peut plus être annulée.")
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    promoted = _promote_waiting(session)
    return promoted[0] if promoted else None


@transaction.atomic
def record_attendance(*, session: Session, attended: dict[int, bool | None]) -> int:
    """attended: registration id → present (True), absent (False) or unknown (None)."""
    registrations = {
        r.pk: r for r in session.registrations.select_for_update().filter(status=RegistrationStatus.REGISTERED)
    }
    unknown = set(attended) - set(registrations)
    if unknown:
        raise ClefopError("Seules les personnes inscrites peuvent être pointées présentes.")
    if session.start > timezone.now():
        raise ClefopError("Les présences se saisissent une fois la session commencée.")
    changed = []
    for pk, value in attended.items():
        registration = registrations[pk]
        if registration.attended != value:
            registration.attended = value
            changed.append(registration)
    Registration.objects.bulk_update(changed, ["attended"])
    return len(changed)


@transaction.atomic
def add_session_document(*, session: Session, title: str, data: bytes, filename: str, by) -> SessionDocument:
    document = SessionDocument(session=session, title=((title or "").strip() or filename)[:255])
    try:
        store_checked_file(document, data=data, filename=filename, by=by)
    except FileRejected as exc:
        raise ClefopError(str(exc)) from exc
    participants = [
        r.user for r in session.registrations.filter(status=RegistrationStatus.REGISTERED).select_related("user")
    ]
    notify(
        participants,
        subject=f"Document partagé : {session.title}",
        message=f"Un document a été partagé après la session « {session.title} » : {document.title}.",
        url=session.get_absolute_url(),
        actor=by,
    )
    return document


def registrations_to_remind(now=None):
    """Confirmed registrations to sessions starting tomorrow (local time), not yet reminded."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + datetime.timedelta(days=1)
    return Registration.objects.filter(
        status=RegistrationStatus.REGISTERED,
        reminded_at__isnull=True,
        session__start__date=tomorrow,
        user__is_active=True,
    )


def send_session_reminder(*, registration_id: int) -> bool:
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("session", "session__territory", "user")
            .get(pk=registration_id)
        )
        if registration.reminded_at or registration.status != RegistrationStatus.REGISTERED:
            return False
        registration.reminded_at = timezone.now()
        registration.save(update_fields=["reminded_at"])
        session = registration.session
        where = session.place or session.video_url
        start = timezone.localtime(session.start)
        body = (
            f"Bonjour,\n\nRappel : vous êtes inscrit·e à la session « {session.title} » "
            f"({session.get_kind_display().lower()}) demain, {start:%d/%m/%Y}, à {start:%H:%M}.\n"
            f"Lieu : {where}\n\n"
            f"Programme et annulation : {settings.SITE_URL}{session.get_absolute_url()}\n"
        )
        notifications.queue_mail(
            to=[registration.user.email],
            subject=f"Demain : {session.title}",
            body=body,
            kind="clefop.session_reminder",
        )
    return True


# ---------------------------------------------------------------------------------------------- support requests


@transaction.atomic
def create_support_request(*, body: Body, requester, kind: str, need: str, wished_date=None) -> SupportRequest:
    if kind not in SupportKind.values:
        raise ClefopError("Type d’appui inconnu.")
    need = (need or "").strip()
    if len(need) < 10:
        raise ClefopError("Décrivez votre besoin en quelques phrases.")
    if wished_date and wished_date < timezone.localdate():
        raise ClefopError("La date souhaitée est déjà passée.")
    request = SupportRequest.objects.create(
        body=body, requester=requester, kind=kind, need=need, wished_date=wished_date
    )
    SupportRequestEvent.objects.create(
        request=request, by=requester, label="Demande envoyée", to_status=SupportStatus.NEW
    )
    notify(
        [requester],
        subject="Demande d’appui reçue",
        message=f"Votre demande d’appui « {request.get_kind_display()} » pour {body.name} a bien été reçue.",
        url=request.get_absolute_url(),
    )
    notify(
        _staff_users(),
        subject="Nouvelle demande d’appui",
        message=f"Nouvelle demande d’appui de {body.name} : {request.get_kind_display()}.",
        url=reverse("offer:support_queue"),
        actor=requester,
        email=False,
    )
    return request


@transaction.atomic
def update_support_request(
    *, request: SupportRequest, by, status: str | None = None, assignee=None, message: str = ""
) -> SupportRequestEvent:
    """Assign, change the status and/or write to the requester: one step of the history, one notification."""
    request = (
        SupportRequest.objects.select_for_update(of=("self",)).select_related("body", "requester").get(pk=request.pk)
    )
    message = (message or "").strip()
    status = status or request.status
    if status not in SupportStatus.values:
        raise ClefopError("Statut inconnu.")
    if assignee is not None and not (assignee.is_cariforef_staff or assignee.is_superuser):
        raise ClefopError("L’appui ne peut être confié qu’à un membre de l’équipe du Carif-Oref.")
    changes = []
    event = SupportRequestEvent(request=request, by=by, message=message)
    if assignee is not None and assignee.pk != request.assignee_id:
        request.assignee = assignee
        event.assignee = assignee
        changes.append(f"Confiée à {assignee.get_full_name() or assignee.email}")
    if status != request.status:
        if status == SupportStatus.REFUSED and not message:
            raise ClefopError("Expliquez le refus dans le message à la personne.")
        event.from_status, event.to_status = request.status, status
        request.status = status
        changes.append(f"Statut : {request.get_status_display().lower()}")
    if not changes and not message:
        raise ClefopError("Rien n’a changé : choisissez un statut, une personne ou écrivez un message.")
    event.label = " ; ".join(changes) or "Message"
    request.save()
    event.save()
    text = f"Votre demande d’appui « {request.get_kind_display()} » ({request.body.name}) : {event.label.lower()}."
    if message:
        text += f" Message : {message}"
    notify(
        [request.requester],
        subject=f"Demande d’appui : {request.get_status_display().lower()}",
        message=text,
        url=request.get_absolute_url(),
        actor=by,
    )
    if event.assignee_id and event.assignee_id != by.pk:
        notify(
            [event.assignee],
            subject="Une demande d’appui vous est confiée",
            message=f"La demande d’appui de {request.body.name} ({request.get_kind_display()}) vous est confiée.",
            url=reverse("offer:support_manage", args=[request.pk]),
            email=False,
        )
    return event
