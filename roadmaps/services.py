"""Every write on roadmaps goes through these functions (keyword-only, atomic, French domain errors)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from clefop.models import Body, BodyKind, Membership, Organisation, Position
from offer.models import Dispositif
from srefop_portal.common import notifications, wording
from srefop_portal.common.forms import DomainError

from .history import link_labels, links_of, one_version
from .models import (
    MAX_PRIORITIES,
    Action,
    ActionDocument,
    ActionStatus,
    AnnualReview,
    BudgetLine,
    NafDivision,
    Priority,
    PriorityAssessment,
    ProgressNote,
    Recommendation,
    ResultIndicator,
    Roadmap,
    RoadmapStatus,
    RoadmapTransition,
    RomeCode,
    SubAction,
)


class RoadmapError(DomainError):
    """A change refused for a business reason; the message is shown to the person as is."""


class ActionConflict(RoadmapError):
    """The action was saved by someone else since the form was opened."""

    def __init__(self, current: Action):
        self.current = current
        super().__init__(
            "Cette action a été modifiée par une autre personne depuis que vous avez ouvert le formulaire : "
            "rien n’a été enregistré. Comparez les deux versions."
        )


# Fields of an action edited through the full form, in display order.
ACTION_FIELDS = [
    "priority",
    "title",
    "description",
    "objectives",
    "target_publics",
    "pilot_organisation",
    "partners",
    "working_group",
    "start_date",
    "end_date",
    "status",
    "progress",
    "restricted",
]
ACTION_M2M_FIELDS = ["naf_divisions", "rome_codes", "recommendations", "pilots", "dispositifs"]


# ---------------------------------------------------------------------------------------------- notifications


def _notify(users, *, subject: str, message: str, url: str, actor=None) -> int:
    return notifications.notify(users, subject=subject, message=message, url=url, actor=actor, kind="roadmaps")


def _members(body: Body, positions=None):
    queryset = Membership.objects.active().filter(body=body).select_related("user")
    if positions:
        queryset = queryset.filter(position__in=positions)
    return [m.user for m in queryset]


# ---------------------------------------------------------------------------------------------- roadmaps


def _record(roadmap: Roadmap, *, from_status: str, label: str, user, comment: str = "") -> RoadmapTransition:
    return RoadmapTransition.objects.create(
        roadmap=roadmap, from_status=from_status, to_status=roadmap.status, label=label, comment=comment, by=user
    )


def _save(instance, user, **kwargs):
    instance._history_user = user
    instance.save(**kwargs)


def _save_with_links(instance, user, links: dict, *, reason: str = ""):
    """Save the instance and set its links (m2m): the history records one version holding both."""
    with one_version(instance, user=user, reason=reason):
        instance.save()
        for name, values in links.items():
            getattr(instance, name).set(values)


@transaction.atomic
def create_roadmap(*, body: Body, title: str, start_year: int, end_year: int, user, summary: str = "") -> Roadmap:
    if body.kind != BodyKind.CLEFOP:
        raise RoadmapError("Une feuille de route est portée par un Clefop.")
    if end_year < start_year:
        raise RoadmapError("La dernière année de la période précède la première.")
    if end_year - start_year > 6:
        raise RoadmapError("La période d’une feuille de route ne dépasse pas six ans.")
    if Roadmap.objects.filter(body=body, start_year=start_year, end_year=end_year).exists():
        raise RoadmapError(
            f"Une feuille de route {start_year}-{end_year} existe déjà pour {body.name} : "
            "ouvrez-la, ou ouvrez une révision si elle est adoptée."
        )
    roadmap = Roadmap(
        body=body, title=title.strip(), start_year=start_year, end_year=end_year, summary=summary, created_by=user
    )
    _save(roadmap, user)
    _record(roadmap, from_status="", label="Création", user=user)
    return roadmap


@transaction.atomic
def update_roadmap(*, roadmap: Roadmap, title: str, summary: str, user) -> Roadmap:
    roadmap = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    if not roadmap.is_editable:
        raise RoadmapError("Seule une feuille de route en brouillon peut être modifiée.")
    roadmap.title, roadmap.summary = title.strip(), summary
    _save(roadmap, user)
    return roadmap


TRANSITIONS = {
    # name: (from, to, label, permission)
    "submit": (RoadmapStatus.DRAFT, RoadmapStatus.SUBMITTED, "Soumise pour adoption", "roadmaps.submit_roadmap"),
    "return": (RoadmapStatus.SUBMITTED, RoadmapStatus.DRAFT, "Renvoyée en brouillon", "roadmaps.return_roadmap"),
    "adopt": (RoadmapStatus.SUBMITTED, RoadmapStatus.ADOPTED, "Adoptée", "roadmaps.adopt_roadmap"),
    "archive": (RoadmapStatus.ADOPTED, RoadmapStatus.ARCHIVED, "Archivée", "roadmaps.archive_roadmap"),
}


@transaction.atomic
def transition_roadmap(
    *, roadmap: Roadmap, transition: str, user, comment: str = "", plenary_date: datetime.date | None = None
) -> Roadmap:
    if transition not in TRANSITIONS:
        raise RoadmapError("Étape inconnue.")
    source, target, label, _perm = TRANSITIONS[transition]
    roadmap = Roadmap.objects.select_for_update().select_related("body").get(pk=roadmap.pk)
    if roadmap.status != source:
        raise RoadmapError(
            f"La feuille de route est « {roadmap.get_status_display().lower()} » : "
            f"l’étape « {label.lower()} » n’est pas possible."
        )
    if transition == "submit" and not roadmap.priorities.exists():
        raise RoadmapError("Ajoutez au moins une priorité avant de soumettre la feuille de route.")
    if transition == "adopt":
        if plenary_date is None:
            raise RoadmapError("Indiquez la date de la plénière qui a adopté la feuille de route.")
        if plenary_date > timezone.localdate():
            raise RoadmapError("La date de la plénière ne peut pas être dans le futur.")
        # The previously adopted version of this period is archived: one published version at a time.
        for previous in Roadmap.objects.select_for_update().filter(
            body=roadmap.body,
            start_year=roadmap.start_year,
            end_year=roadmap.end_year,
            status=RoadmapStatus.ADOPTED,
        ):
            previous.status = RoadmapStatus.ARCHIVED
            _save(previous, user)
            _record(
                previous,
                from_status=RoadmapStatus.ADOPTED,
                label=f"Remplacée par la version {roadmap.version}",
                user=user,
            )
        roadmap.plenary_date = plenary_date
        roadmap.adopted_at = timezone.now()
        roadmap.adopted_by = user
    roadmap.status = target
    _save(roadmap, user)
    _record(roadmap, from_status=source, label=label, user=user, comment=comment)

    body = roadmap.body
    subject = f"Feuille de route {roadmap.period_label} de {body.name} (version {roadmap.version}) : {label.lower()}"
    message = f"{subject}."
    if comment:  # the comment keeps its own punctuation: no « ». » double stop
        message += f"\nCommentaire : « {wording.shorten(comment, 200)} »"
    if transition == "submit":
        recipients = _members(body, [Position.COCHAIR, Position.ANIMATEUR])
    else:
        recipients = _members(body)
    _notify(recipients, subject=subject, message=message, url=roadmap.get_absolute_url(), actor=user)
    return roadmap


@transaction.atomic
def revise_roadmap(*, roadmap: Roadmap, user, comment: str = "") -> Roadmap:
    """Open a new version (draft) copying priorities and actions; the adopted version stays published."""
    roadmap = Roadmap.objects.select_for_update().select_related("body").get(pk=roadmap.pk)
    if roadmap.status != RoadmapStatus.ADOPTED:
        raise RoadmapError("Seule une feuille de route adoptée peut être révisée.")
    open_revision = Roadmap.objects.filter(
        body=roadmap.body,
        start_year=roadmap.start_year,
        end_year=roadmap.end_year,
        status__in=[RoadmapStatus.DRAFT, RoadmapStatus.SUBMITTED],
    ).first()
    if open_revision:
        raise RoadmapError(f"Une révision est déjà en cours (version {open_revision.version}).")
    last_version = (
        Roadmap.objects.filter(body=roadmap.body, start_year=roadmap.start_year, end_year=roadmap.end_year)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    revision = Roadmap(
        body=roadmap.body,
        title=roadmap.title,
        start_year=roadmap.start_year,
        end_year=roadmap.end_year,
        summary=roadmap.summary,
        version=last_version + 1,
        revision_of=roadmap,
        created_by=user,
        is_demo=roadmap.is_demo,
    )
    _save(revision, user)
    _record(revision, from_status="", label=f"Révision de la version {roadmap.version}", user=user, comment=comment)
    priorities = roadmap.priorities.prefetch_related("challenges", "sheets")
    actions = roadmap.actions.prefetch_related(
        "naf_divisions",
        "rome_codes",
        "recommendations",
        "pilots",
        "dispositifs",
        "sub_actions",
        "budget_lines",
        "indicators",
        "documents",
    )
    priority_map = {}
    for priority in priorities:
        copy = Priority(roadmap=revision, order=priority.order, title=priority.title, description=priority.description)
        _save_with_links(copy, user, {"challenges": priority.challenges.all(), "sheets": priority.sheets.all()})
        priority_map[priority.pk] = copy
    for action in actions:
        copy = Action(
            roadmap=revision,
            priority=priority_map[action.priority_id],
            order=action.order,
            copied_from=action,
            is_demo=action.is_demo,
            updated_by=user,
        )
        for name in ACTION_FIELDS:
            if name != "priority":
                setattr(copy, name, getattr(action, name))
        _save_with_links(copy, user, {name: getattr(action, name).all() for name in ACTION_M2M_FIELDS})
        SubAction.objects.bulk_create(
            [SubAction(action=copy, title=s.title, done=s.done, order=s.order) for s in action.sub_actions.all()]
        )
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(action=copy, year=b.year, planned=b.planned, spent=b.spent, funder=b.funder)
                for b in action.budget_lines.all()
            ]
        )
        ResultIndicator.objects.bulk_create(
            [
                ResultIndicator(action=copy, label=i.label, unit=i.unit, target=i.target, achieved=i.achieved)
                for i in action.indicators.all()
            ]
        )
        ActionDocument.objects.bulk_create(
            [
                ActionDocument(
                    action=copy,
                    title=d.title,
                    file=d.file.name,
                    original_name=d.original_name,
                    file_type=d.file_type,
                    content_type=d.content_type,
                    size=d.size,
                    uploaded_by=d.uploaded_by,
                )
                for d in action.documents.all()
            ]
        )
    message = (
        f"Une révision (version {revision.version}) de la feuille de route {roadmap.period_label} de "
        f"{roadmap.body.name} est ouverte ; la version {roadmap.version} reste publiée jusqu’à l’adoption."
    )
    _notify(
        _members(roadmap.body),
        subject="Révision de la feuille de route ouverte",
        message=message,
        url=revision.get_absolute_url(),
        actor=user,
    )
    return revision


# ---------------------------------------------------------------------------------------------- priorities


def _require_draft(roadmap: Roadmap):
    if not roadmap.is_editable:
        raise RoadmapError(
            f"La feuille de route est « {roadmap.get_status_display().lower()} » : ses priorités et la liste de ses "
            "actions ne se modifient qu’en brouillon (ouvrez une révision si elle est adoptée)."
        )


@transaction.atomic
def add_priority(*, roadmap: Roadmap, title: str, user, description: str = "", challenges=(), sheets=()) -> Priority:
    roadmap = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    _require_draft(roadmap)
    count = roadmap.priorities.count()
    if count >= MAX_PRIORITIES:
        raise RoadmapError(
            f"Une feuille de route compte au plus {MAX_PRIORITIES} priorités : celle-ci en a déjà {count}. "
            "Regroupez ou remplacez une priorité existante."
        )
    priority = Priority(roadmap=roadmap, order=count + 1, title=title.strip(), description=description)
    _save_with_links(priority, user, {"challenges": challenges, "sheets": sheets})
    return priority


@transaction.atomic
def update_priority(
    *, priority: Priority, title: str, user, description: str = "", challenges=(), sheets=(), order: int | None = None
) -> Priority:
    priority = Priority.objects.select_for_update().select_related("roadmap").get(pk=priority.pk)
    _require_draft(priority.roadmap)
    priority.title, priority.description = title.strip(), description
    if order is not None:
        if not 1 <= order <= MAX_PRIORITIES:
            raise RoadmapError(f"L’ordre d’une priorité va de 1 à {MAX_PRIORITIES}.")
        priority.order = order
    _save_with_links(priority, user, {"challenges": challenges, "sheets": sheets})
    return priority


@transaction.atomic
def delete_priority(*, priority: Priority, user) -> None:
    priority = Priority.objects.select_for_update().select_related("roadmap").get(pk=priority.pk)
    _require_draft(priority.roadmap)
    if priority.actions.exists():
        raise RoadmapError("Cette priorité porte des actions : déplacez-les ou supprimez-les d’abord.")
    priority._history_user = user
    priority.delete()
    for index, other in enumerate(Priority.objects.filter(roadmap=priority.roadmap).order_by("order", "pk"), 1):
        if other.order != index:
            other.order = index
            _save(other, user)


# ---------------------------------------------------------------------------------------------- actions


def _check_action_data(roadmap: Roadmap, data: dict):
    priority = data.get("priority")
    if priority is None or priority.roadmap_id != roadmap.pk:
        raise RoadmapError("Choisissez une priorité de cette feuille de route.")
    start, end = data.get("start_date"), data.get("end_date")
    if start and end and end < start:
        raise RoadmapError("La date de fin précède la date de début.")
    progress = data.get("progress")
    if progress is not None and not 0 <= progress <= 100:
        raise RoadmapError("L’avancement est un pourcentage entre 0 et 100.")
    group = data.get("working_group")
    if group is not None and (group.kind != BodyKind.WORKING_GROUP or group.parent_id != roadmap.body_id):
        raise RoadmapError("Le groupe de travail doit appartenir à cette Clefop.")
    if data.get("status") == ActionStatus.DONE and progress is not None and progress < 100:
        data["progress"] = 100


def _apply(action: Action, data: dict):
    for name in ACTION_FIELDS:
        if name in data:
            setattr(action, name, data[name])


def _links(data: dict) -> dict:
    return {name: data[name] for name in ACTION_M2M_FIELDS if name in data}


@transaction.atomic
def create_action(*, roadmap: Roadmap, data: dict, user) -> Action:
    roadmap = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    _require_draft(roadmap)
    data = dict(data)
    _check_action_data(roadmap, data)
    order = Action.objects.filter(priority=data["priority"]).count() + 1
    action = Action(roadmap=roadmap, order=order, updated_by=user, is_demo=roadmap.is_demo)
    _apply(action, data)
    _save_with_links(action, user, _links(data))
    return action


@transaction.atomic
def update_action(*, action: Action, data: dict, expected_version: int, user) -> Action:
    current = Action.objects.select_for_update().select_related("roadmap").get(pk=action.pk)
    if current.version != expected_version:
        raise ActionConflict(current)
    if not current.roadmap.is_followable:
        raise RoadmapError("Cette feuille de route est archivée : ses actions ne se modifient plus.")
    data = dict(data)
    _check_action_data(current.roadmap, data)
    _apply(current, data)
    current.version += 1
    current.updated_by = user
    _save_with_links(current, user, _links(data))
    return current


@transaction.atomic
def update_action_status(
    *, action: Action, status: str, progress: int, user, comment: str = "", date: datetime.date | None = None
) -> ProgressNote:
    """A point de suivi: changes status and progress, and keeps the note."""
    current = Action.objects.select_for_update().select_related("roadmap").get(pk=action.pk)
    if not current.roadmap.is_followable:
        raise RoadmapError("Cette feuille de route est archivée : ses actions ne se modifient plus.")
    if status not in ActionStatus.values:
        raise RoadmapError("Statut inconnu.")
    if progress is None or not 0 <= progress <= 100:
        raise RoadmapError("L’avancement est un pourcentage entre 0 et 100.")
    if status == ActionStatus.DONE:
        progress = 100
    current.status, current.progress = status, progress
    current.version += 1
    current.updated_by = user
    _save(current, user)
    return ProgressNote.objects.create(
        action=current,
        status=status,
        progress=progress,
        comment=comment,
        author=user,
        date=date or timezone.localdate(),
    )


@transaction.atomic
def delete_action(*, action: Action, user) -> None:
    action = Action.objects.select_for_update().select_related("roadmap").get(pk=action.pk)
    _require_draft(action.roadmap)
    action._history_user = user
    action.delete()


@dataclass
class RestoredVersion:
    action: Action
    missing: list[str]  # what the chosen version held but no longer exists or fits (French, shown as is)


def _allowed_links(roadmap: Roadmap) -> dict:
    """The objects an action of this roadmap may link to today (the choices of the action form)."""
    territory = roadmap.body.territory
    member_ids = Membership.objects.active().filter(body_id=roadmap.body_id).values("user_id")
    return {
        "naf_divisions": NafDivision.objects.all(),
        "rome_codes": RomeCode.objects.all(),
        "recommendations": Recommendation.objects.all(),
        "pilots": get_user_model().objects.filter(pk__in=member_ids),
        "dispositifs": Dispositif.objects.available_in(territory) if territory else Dispositif.objects.all(),
    }


@transaction.atomic
def restore_action_version(*, action: Action, history_id: int, user) -> RestoredVersion:
    """Bring back the fields and links of an earlier version (a new version is recorded, nothing is lost).

    What has disappeared since (a deleted priority or organisation, a pilot who left the Clefop, a dispositif no
    longer offered on the territory...) cannot come back: the current value stays and ``missing`` says so."""
    current = Action.objects.select_for_update().select_related("roadmap__body").get(pk=action.pk)
    if not current.roadmap.is_followable:
        raise RoadmapError("Cette feuille de route est archivée : ses actions ne se modifient plus.")
    record = current.history.filter(history_id=history_id).first()
    if record is None:
        raise RoadmapError("Cette version de l’action n’existe pas.")
    missing = []
    for name in ACTION_FIELDS:
        if name == "priority":
            if Priority.objects.filter(pk=record.priority_id, roadmap_id=current.roadmap_id).exists():
                current.priority_id = record.priority_id
            elif record.priority_id != current.priority_id:
                missing.append("la priorité (supprimée depuis)")
            continue
        if name in ("pilot_organisation", "working_group"):
            value = getattr(record, f"{name}_id")
            if value is None or _fk_still_valid(current.roadmap, name, value):
                setattr(current, f"{name}_id", value)
            else:
                missing.append(
                    "la structure pilote (supprimée depuis)"
                    if name == "pilot_organisation"
                    else "le groupe de travail (supprimé depuis)"
                )
            continue
        setattr(current, name, getattr(record, name))
    links = {}
    allowed = _allowed_links(current.roadmap)
    for name, by_record in links_of(Action, [record.history_id]).items():
        wanted = by_record[record.history_id]
        kept = set(allowed[name].filter(pk__in=wanted).values_list("pk", flat=True))
        links[name] = sorted(kept)
        if lost := wanted - kept:
            verbose = str(Action._meta.get_field(name).verbose_name)
            labels = link_labels(Action, name, lost)
            missing.append(f"{verbose} : " + ", ".join(sorted(labels.values(), key=str.casefold)))
    current.version += 1
    current.updated_by = user
    reason = f"Restauration de la version du {timezone.localtime(record.history_date):%d/%m/%Y %H:%M}"
    _save_with_links(current, user, links, reason=reason)
    return RestoredVersion(action=current, missing=missing)


def _fk_still_valid(roadmap: Roadmap, name: str, pk: int) -> bool:
    if name == "pilot_organisation":
        return Organisation.objects.filter(pk=pk).exists()
    return Body.objects.filter(pk=pk, kind=BodyKind.WORKING_GROUP, parent_id=roadmap.body_id).exists()


# ---------------------------------------------------------------------------------------------- fiche details


def _followable(action: Action):
    if not action.roadmap.is_followable:
        raise RoadmapError("Cette feuille de route est archivée : ses actions ne se modifient plus.")


@transaction.atomic
def add_budget_line(*, action: Action, year: int, planned, spent, funder: str, user) -> BudgetLine:
    _followable(action)
    if planned < 0 or spent < 0:
        raise RoadmapError("Les montants sont positifs.")
    return BudgetLine.objects.create(action=action, year=year, planned=planned, spent=spent, funder=funder)


@transaction.atomic
def add_indicator(*, action: Action, label: str, unit: str, target, achieved, user) -> ResultIndicator:
    _followable(action)
    return ResultIndicator.objects.create(action=action, label=label, unit=unit, target=target, achieved=achieved)


@transaction.atomic
def add_sub_action(*, action: Action, title: str, user) -> SubAction:
    _followable(action)
    return SubAction.objects.create(action=action, title=title, order=action.sub_actions.count() + 1)


@transaction.atomic
def toggle_sub_action(*, sub_action: SubAction, user) -> SubAction:
    _followable(sub_action.action)
    sub_action.done = not sub_action.done
    sub_action.save(update_fields=["done"])
    return sub_action


@transaction.atomic
def delete_detail(*, item, user) -> None:
    _followable(item.action)
    if isinstance(item, ActionDocument):
        transaction.on_commit(lambda name=item.file.name: _delete_file_if_unused(name))
    item.delete()


def _delete_file_if_unused(name: str):
    from django.core.files.storage import default_storage

    if name and not ActionDocument.objects.filter(file=name).exists():
        default_storage.delete(name)


@transaction.atomic
def add_action_document(*, action: Action, title: str, data: bytes, filename: str, user) -> ActionDocument:
    from srefop_portal.common.documents import store_checked_file
    from srefop_portal.common.filecheck import FileRejected

    _followable(action)
    document = ActionDocument(action=action, title=((title or "").strip() or filename)[:255])
    try:
        return store_checked_file(document, data=data, filename=filename, by=user)
    except FileRejected as exc:
        raise RoadmapError(str(exc)) from None


# ---------------------------------------------------------------------------------------------- annual review


@dataclass
class AssessmentInput:
    priority: Priority
    rating: str
    comment: str = ""


@transaction.atomic
def record_annual_review(
    *,
    roadmap: Roadmap,
    date: datetime.date,
    summary: str,
    user,
    attendance: str = "",
    decisions: str = "",
    assessments: list[AssessmentInput] = (),
) -> AnnualReview:
    if roadmap.status not in (RoadmapStatus.ADOPTED, RoadmapStatus.ARCHIVED):
        raise RoadmapError("Le point d’étape annuel porte sur une feuille de route adoptée.")
    if date > timezone.localdate():
        raise RoadmapError("La date du point d’étape ne peut pas être dans le futur.")
    if not summary.strip():
        raise RoadmapError("Rédigez la synthèse du point d’étape.")
    review = AnnualReview.objects.create(
        roadmap=roadmap, date=date, attendance=attendance, summary=summary, decisions=decisions, created_by=user
    )
    for item in assessments:
        if item.priority.roadmap_id != roadmap.pk:
            raise RoadmapError("Une appréciation porte sur une priorité d’une autre feuille de route.")
        PriorityAssessment.objects.create(
            review=review, priority=item.priority, rating=item.rating, comment=item.comment
        )
    _notify(
        _members(roadmap.body),
        subject="Point d’étape annuel enregistré",
        message=f"Le point d’étape du {date:%d/%m/%Y} de la feuille de route de {roadmap.body.name} est en ligne.",
        url=roadmap.get_absolute_url(),
        actor=user,
    )
    return review


# ---------------------------------------------------------------------------------------------- overdue e-mails


def send_overdue_emails() -> int:
    """One e-mail per pilot listing their overdue actions (opt-out: User.receive_overdue_emails)."""
    from collections import defaultdict

    from django.template.loader import render_to_string

    actions = (
        Action.objects.overdue()
        .exclude(roadmap__status=RoadmapStatus.ARCHIVED)
        .select_related("roadmap__body")
        .prefetch_related("pilots")
        .order_by("end_date")
    )
    by_pilot = defaultdict(list)
    pilots = {}
    for action in actions:
        for pilot in action.pilots.all():
            if pilot.is_active and pilot.receive_overdue_emails and pilot.email:
                by_pilot[pilot.pk].append(action)
                pilots[pilot.pk] = pilot
    for pk, items in by_pilot.items():
        pilot = pilots[pk]
        body = render_to_string(
            "roadmaps/emails/overdue.txt",
            {"user": pilot, "actions": items, "site_url": settings.SITE_URL},
        )
        count = len(items)
        notifications.queue_mail(
            to=[pilot.email],
            subject=wording.plural(count, "%(count)s action en retard", "%(count)s actions en retard"),
            body=body,
            kind="roadmaps.overdue",
        )
    return len(by_pilot)
