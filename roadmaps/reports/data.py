"""What a territory progress report shows, gathered as plain data (dates stay ``date`` objects for the templates).

The same structure is hashed into the job fingerprint (``fingerprint``): a request whose data did not change since a
finished report is served that report at once. A compact snapshot of the actions (``snapshot``) is kept in the job's
``result`` so that the next report can say what changed (``changes_since``).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Min, Q
from django.utils import timezone

from clefop.models import Body, Meeting, Membership, Position
from srefop_portal.common.charts import fr_number
from srefop_portal.common.models import Job
from srefop_portal.common.pdf import typo_fr
from territories.maps import composition_version
from territories.models import Commune

from ..models import (
    CLOSED_STATUSES,
    Action,
    ActionStatus,
    AnnualReview,
    ProgressNote,
    Roadmap,
    RoadmapStatus,
)
from . import TERRITORY_KIND

STATUS_LABELS = dict(ActionStatus.choices)


def current_roadmap(body: Body) -> tuple[Roadmap | None, Roadmap | None]:
    """(the roadmap reported on, a newer revision under way): the adopted version if any, else the latest one."""
    roadmaps = list(
        Roadmap.objects.filter(body=body).exclude(status=RoadmapStatus.ARCHIVED).order_by("-start_year", "-version")
    )
    adopted = next((r for r in roadmaps if r.status == RoadmapStatus.ADOPTED), None)
    reported = adopted or (roadmaps[0] if roadmaps else None)
    newer = roadmaps[0] if roadmaps and reported and roadmaps[0].pk != reported.pk else None
    return reported, newer


def number(value, unit: str = "") -> str:
    if value is None:
        return "–"
    value = Decimal(value)
    text = fr_number(value, 0 if value == value.to_integral_value() else 1)
    return f"{text}\u00a0{unit}" if unit else text


def _period(roadmap: Roadmap | None, today: datetime.date) -> tuple[datetime.date, datetime.date, str]:
    if roadmap is None:
        return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31), str(today.year)
    return (
        datetime.date(roadmap.start_year, 1, 1),
        datetime.date(roadmap.end_year, 12, 31),
        f"{roadmap.start_year}-{roadmap.end_year}",
    )


def _actions(roadmap: Roadmap, today: datetime.date) -> list[dict]:
    actions = list(
        Action.objects.filter(roadmap=roadmap)
        .select_related("priority", "pilot_organisation")
        .prefetch_related("pilots", "indicators", "recommendations")
        .order_by("priority__order", "priority__pk", "order", "pk")
    )
    last_notes = {}
    notes = ProgressNote.objects.filter(action__roadmap=roadmap).order_by("action_id", "-date", "-pk")
    for note in notes.values("action_id", "date", "comment", "status", "progress"):
        last_notes.setdefault(note["action_id"], note)
    rows = []
    for action in actions:
        note = last_notes.get(action.pk)
        pilots = [u.display_name for u in action.pilots.all()]
        pilot = ", ".join(filter(None, [action.pilot_organisation.name if action.pilot_organisation else "", *pilots]))
        rows.append(
            {
                "id": action.pk,
                "priority_id": action.priority_id,
                "title": typo_fr(action.title),
                "status": action.status,
                "status_label": STATUS_LABELS.get(action.status, action.status),
                "progress": action.progress,
                "pilot": typo_fr(pilot) or "–",
                "start": action.start_date,
                "end": action.end_date,
                "overdue": bool(action.end_date and action.end_date < today and action.status not in CLOSED_STATUSES),
                "restricted": action.restricted,
                "is_demo": action.is_demo,
                "updated_at": action.updated_at,
                "note": (
                    {"date": note["date"], "text": typo_fr(note["comment"]) or "(sans commentaire)"} if note else None
                ),
                "bar": 5 * round(action.progress / 5),
                "indicators": [_indicator(i) for i in action.indicators.all()],
                "recommendations": [
                    {"code": r.code, "title": typo_fr(r.title), "is_example": r.is_example}
                    for r in action.recommendations.all()
                ],
            }
        )
    return rows


def _indicator(indicator) -> dict:
    """A result indicator as one short sentence: « Candidats reçus : 90 sur 120 personnes (75 %) »."""
    label = typo_fr(indicator.label)
    achieved, target = number(indicator.achieved), number(indicator.target, indicator.unit)
    if indicator.achieved is None:
        text = f"{label}\u202f: réalisé non renseigné" + (f" (cible {target})" if indicator.target is not None else "")
    elif indicator.target is None:
        text = f"{label}\u202f: {number(indicator.achieved, indicator.unit)}, sans cible"
    else:
        rate = "" if indicator.rate is None else f" ({round(indicator.rate)}\u00a0%)"
        text = f"{label}\u202f: {achieved} sur {target}{rate}"
    return {"text": text, "raw": [str(indicator.target), str(indicator.achieved)]}


def _summary(actions: list[dict]) -> dict:
    counts = Counter(a["status"] for a in actions)
    measured = [a["progress"] for a in actions if a["status"] != ActionStatus.ABANDONED]
    return {
        "total": len(actions),
        "progress": round(sum(measured) / len(measured)) if measured else None,
        "by_status": [
            {"value": value, "label": label, "count": counts.get(value, 0)} for value, label in ActionStatus.choices
        ],
        "overdue_total": sum(1 for a in actions if a["overdue"]),
        "overdue": [a for a in actions if a["overdue"] and not a["restricted"]],
        "restricted_total": sum(1 for a in actions if a["restricted"]),
        "done": counts.get(ActionStatus.DONE, 0),
    }


def _priorities(roadmap: Roadmap, actions: list[dict]) -> list[dict]:
    by_priority = defaultdict(list)
    for action in actions:
        by_priority[action["priority_id"]].append(action)
    priorities = []
    for priority in roadmap.priorities.order_by("order", "pk"):
        own = by_priority.get(priority.pk, [])
        measured = [a["progress"] for a in own if a["status"] != ActionStatus.ABANDONED]
        priorities.append(
            {
                "id": priority.pk,
                "order": priority.order,
                "title": typo_fr(priority.title),
                "description": typo_fr(priority.description),
                "progress": round(sum(measured) / len(measured)) if measured else None,
                "actions": [a for a in own if not a["restricted"]],
                "restricted_total": sum(1 for a in own if a["restricted"]),
                "total": len(own),
            }
        )
    return priorities


def _review(roadmap: Roadmap) -> dict | None:
    review = AnnualReview.objects.of_history(roadmap).order_by("-date", "-pk").first()
    if review is None:
        return None
    return {
        "id": review.pk,
        "date": review.date,
        "summary": typo_fr(review.summary),
        "decisions": typo_fr(review.decisions),
        "attendance": typo_fr(review.attendance),
        "assessments": [
            {
                "priority": typo_fr(f"{a.priority.order}. {a.priority.title}"),
                "rating": a.get_rating_display(),
                "comment": typo_fr(a.comment),
            }
            for a in review.assessments.select_related("priority").order_by("priority__order")
        ],
    }


def _recommendations(actions: list[dict]) -> list[dict]:
    found: dict[str, dict] = {}
    for action in actions:
        if action["restricted"]:
            continue
        for rec in action["recommendations"]:
            entry = found.setdefault(rec["code"], {**rec, "actions": []})
            entry["actions"].append(action["title"])
    return [found[code] for code in sorted(found)]


def _reperes(territory) -> dict:
    from reperes.models import Sheet

    sheets = {s.audience: s for s in Sheet.objects.filter(territory=territory).exclude(snapshot={})}
    sheet = sheets.get(Sheet.Audience.MEMBERS) or sheets.get(Sheet.Audience.PUBLIC)
    if sheet is None:
        return {"figures": [], "built_at": None, "fingerprint": "", "updating": False, "has_demo": False}
    snapshot = sheet.snapshot
    figures = snapshot.get("key_figures") or snapshot.get("figures", [])[:8]
    return {
        "figures": [
            {
                "label": typo_fr(f["label"]),
                "period": f["period"],
                "value": f["value_text"],
                "departement": f["departement_text"],
                "region": f["region_text"],
                "is_demo": f["is_demo"],
            }
            for f in figures
        ],
        "built_at": sheet.built_at,
        "fingerprint": sheet.fingerprint,
        "updating": sheet.stale,  # data or composition changed, rebuild queued: part of the report's fingerprint
        "has_demo": bool(snapshot.get("has_demo")),
    }


def _epcis(territory) -> list[dict]:
    """The groupings shown on the territory map (EPCI, or a commune outside any EPCI), with their communes."""
    rows = (
        Commune.objects.filter(territory=territory)
        .values("epci__name")
        .annotate(communes=Count("pk"), first=Min("name"))
        .order_by("epci__name")
    )
    outside = {1: "{first} (commune hors EPCI)"}
    return [
        {
            "name": row["epci__name"] or outside.get(row["communes"], "Communes hors EPCI").format(first=row["first"]),
            "communes": row["communes"],
        }
        for row in rows
    ]


def _members(body: Body, today: datetime.date) -> tuple[list[dict], list[dict]]:
    memberships = list(
        Membership.objects.active(today)
        .filter(body=body)
        .select_related("user", "organisation")
        .order_by("organisation__name", "position", "user__last_name", "pk")
    )
    groups: dict[str, list[dict]] = {}
    cochairs = []
    for m in memberships:
        person = {
            "name": m.user.display_name,
            "position": m.get_position_display(),
            "role": typo_fr(m.role_label),
            "id": m.pk,
        }
        groups.setdefault(m.organisation.name if m.organisation else "Sans structure indiquée", []).append(person)
        if m.position == Position.COCHAIR:
            cochairs.append(person)
    return [{"organisation": k, "people": v} for k, v in groups.items()], cochairs


def _meetings(body: Body, start: datetime.date, end: datetime.date) -> list[dict]:
    now = timezone.now()
    meetings = (
        Meeting.objects.filter(Q(body=body) | Q(body__parent=body))
        .filter(start__date__gte=start, start__date__lte=end, end__lt=now)
        .select_related("body")
        .order_by("start")
    )
    return [
        {
            "id": m.pk,
            "date": timezone.localtime(m.start).date(),
            "title": typo_fr(m.title),
            "kind": m.get_kind_display(),
            "body": m.body.name if m.body_id != body.pk else "",
            "updated_at": m.updated_at,
            "is_demo": m.is_demo,
        }
        for m in meetings
    ]


def collect(body: Body, *, today: datetime.date | None = None) -> dict:
    """Everything the report of a Clefop shows (restricted actions counted, never detailed)."""
    today = today or timezone.localdate()
    body = Body.objects.select_related("territory__departement").get(pk=body.pk)
    territory = body.territory
    roadmap, newer = current_roadmap(body)
    start, end, period = _period(roadmap, today)
    actions = _actions(roadmap, today) if roadmap else []
    members, cochairs = _members(body, today)
    reperes = _reperes(territory)
    data = {
        "today": today,
        "body": {"id": body.pk, "name": body.name, "slug": body.slug, "is_demo": body.is_demo},
        "territory": {
            "id": territory.pk,
            "code": territory.code,
            "name": territory.name,
            "departement": territory.departement.name,
            "departement_code": territory.departement.code,
            "epcis": _epcis(territory),
        },
        "period": period,
        "period_start": start,
        "period_end": end,
        "roadmap": None,
        "newer": None,
        "actions": actions,
        "summary": _summary(actions),
        "priorities": [],
        "review": None,
        "recommendations": _recommendations(actions),
        "reperes": reperes,
        "members": members,
        "cochairs": cochairs,
        "meetings": _meetings(body, start, min(end, today)),
        "map_version": composition_version(),
    }
    if roadmap is not None:
        data["roadmap"] = {
            "id": roadmap.pk,
            "title": typo_fr(roadmap.title),
            "status": roadmap.status,
            "status_label": roadmap.get_status_display(),
            "version": roadmap.version,
            "plenary_date": roadmap.plenary_date,
            "summary": typo_fr(roadmap.summary),
            "updated_at": roadmap.updated_at,
            "is_demo": roadmap.is_demo,
        }
        data["priorities"] = _priorities(roadmap, actions)
        data["review"] = _review(roadmap)
    if newer is not None:
        data["newer"] = {"version": newer.version, "status_label": newer.get_status_display()}
    data["is_working_document"] = roadmap is None or roadmap.status != RoadmapStatus.ADOPTED
    data["has_demo"] = bool(
        body.is_demo
        or (roadmap and roadmap.is_demo)
        or any(a["is_demo"] for a in actions)
        or reperes["has_demo"]
        or any(r["is_example"] for r in data["recommendations"])
    )
    return data


def fingerprint(data: dict) -> str:
    """Hash of everything shown (the map through the composition version): same hash, same report."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def snapshot(data: dict) -> dict:
    """Compact state of the actions, stored in the job's result for the next report's « what changed »."""
    return {
        "date": data["today"].isoformat(),
        "roadmap": data["roadmap"]["id"] if data["roadmap"] else None,
        "actions": {str(a["id"]): [a["status"], a["progress"]] for a in data["actions"]},
    }


def previous_snapshot(body_id: int, *, exclude_job: int | None = None) -> dict | None:
    jobs = Job.objects.filter(kind=TERRITORY_KIND, params__body=body_id, status=Job.Status.DONE)
    if exclude_job:
        jobs = jobs.exclude(pk=exclude_job)
    for result in jobs.order_by("-finished_at", "-pk").values_list("result", flat=True)[:5]:
        if isinstance(result, dict) and isinstance(result.get("snapshot"), dict):
            return result["snapshot"]
    return None


def changes_since(data: dict, previous: dict | None) -> dict | None:
    """What changed since the previous report: new actions, status and progress changes, removed actions."""
    if previous is None:
        return None
    before = previous.get("actions") or {}
    changed, new = [], []
    for action in data["actions"]:
        old = before.get(str(action["id"]))
        if action["restricted"]:
            continue
        if old is None:
            new.append(action)
        elif old[0] != action["status"] or old[1] != action["progress"]:
            changed.append(
                {
                    "title": action["title"],
                    "status_before": STATUS_LABELS.get(old[0], old[0]),
                    "status_after": action["status_label"],
                    "progress_before": old[1],
                    "progress_after": action["progress"],
                }
            )
    current_ids = {str(a["id"]) for a in data["actions"]}
    try:
        date = datetime.date.fromisoformat(previous.get("date", ""))
    except ValueError:
        date = None
    return {
        "date": date,
        "same_roadmap": previous.get("roadmap") == (data["roadmap"]["id"] if data["roadmap"] else None),
        "changed": changed,
        "new": new,
        "removed": sum(1 for key in before if key not in current_ids),
    }
